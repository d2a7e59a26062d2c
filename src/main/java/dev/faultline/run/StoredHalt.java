package dev.faultline.run;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

@Entity
@Table(name = "halt")
class StoredHalt extends PanacheEntityBase {

    @Id
    Integer id;

    boolean halted;

    String reason;

    @Column(name = "changed_by")
    String changedBy;

    @Column(name = "changed_at")
    Instant changedAt;
}

package dev.faultline.run;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

@Entity
@Table(name = "run_rule")
class StoredRule extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;

    @Column(name = "run_id")
    String runId;

    String kind;

    String namespace;

    String name;

    String route;

    boolean dedicated;

    @Column(name = "applied_at")
    Instant appliedAt;

    @Column(name = "removed_at")
    Instant removedAt;
}

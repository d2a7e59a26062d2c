package dev.faultline.schedule;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

@Entity
@Table(name = "schedule_fire")
class StoredFire extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;

    String schedule;

    @Column(name = "scheduled_for")
    Instant scheduledFor;

    Instant at;

    @Column(name = "run_id")
    String runId;

    String skipped;

    /** Why the fire was refused: whoever the schedule fires for may no longer run it. */
    String refused;

    String instance;
}

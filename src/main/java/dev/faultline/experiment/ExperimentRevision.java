package dev.faultline.experiment;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.ColumnTransformer;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** One saved change of an experiment; never updated once written. */
@Entity
@Table(name = "experiment_revision")
class ExperimentRevision extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;

    @Column(name = "experiment_name")
    String experimentName;

    int revision;

    @Enumerated(EnumType.STRING)
    RevisionChange change;

    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "cast(? as jsonb)")
    String document;

    @Column(name = "changed_at")
    Instant changedAt;

    @Column(name = "changed_by")
    String changedBy;
}

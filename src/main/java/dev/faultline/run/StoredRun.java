package dev.faultline.run;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.ColumnTransformer;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

@Entity
@Table(name = "run")
class StoredRun extends PanacheEntityBase {

    @Id
    String id;

    String experiment;

    int revision;

    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    String document;

    @Enumerated(EnumType.STRING)
    RunState state;

    String reason;

    @Column(name = "target_namespace")
    String targetNamespace;

    @Column(name = "target_service")
    String targetService;

    @Column(name = "wider_blast_radius")
    boolean widerBlastRadius;

    @Column(name = "started_by")
    String startedBy;

    @Column(name = "created_at")
    Instant createdAt;

    @Column(name = "started_at")
    Instant startedAt;

    @Column(name = "ended_at")
    Instant endedAt;

    @Column(name = "recovered_at")
    Instant recoveredAt;

    @Column(name = "recovery_seconds")
    Double recoverySeconds;

    /** Written only by {@link RunStore#recordFindings} (once); entity flushes leave them alone. */
    @Column(columnDefinition = "jsonb", insertable = false, updatable = false)
    String findings;

    @Column(name = "findings_drawn_at", insertable = false, updatable = false)
    Instant findingsDrawnAt;

    @Column(name = "samples_removed_at")
    Instant samplesRemovedAt;

    @Column(name = "timeline_removed_at")
    Instant timelineRemovedAt;

    String owner;

    @Column(name = "heartbeat_at")
    Instant heartbeatAt;

    @Column(name = "needs_cleanup")
    boolean needsCleanup;

    /** Grows on every takeover; the owner's writes are conditional on it. */
    long epoch;

    @Column(name = "abort_requested_at")
    Instant abortRequestedAt;

    @Column(name = "abort_reason")
    String abortReason;
}

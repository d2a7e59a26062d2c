package dev.faultline.schedule;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

import io.quarkus.panache.common.Sort;

/** The record of each fire; claiming it first makes one fire start at most one run, whatever the replicas do. */
@ApplicationScoped
class FireLog {

    private final EntityManager entities;

    FireLog(EntityManager entities) {
        this.entities = entities;
    }

    /** Claims the fire for this instance: false when another instance already handled it. */
    @Transactional(TxType.REQUIRES_NEW)
    boolean claim(String schedule, Instant scheduledFor, Instant at, String instance) {
        return entities.createNativeQuery("insert into schedule_fire (schedule, scheduled_for, at, instance) values (?1, ?2, ?3, ?4) "
                + "on conflict (schedule, scheduled_for) do nothing")
                .setParameter(1, schedule).setParameter(2, scheduledFor).setParameter(3, at).setParameter(4, instance)
                .executeUpdate() == 1;
    }

    @Transactional(TxType.REQUIRES_NEW)
    void started(String schedule, Instant scheduledFor, Instant at, String runId) {
        StoredFire.update("runId = ?1, at = ?2 where schedule = ?3 and scheduledFor = ?4", runId, at, schedule, scheduledFor);
    }

    @Transactional(TxType.REQUIRES_NEW)
    void skipped(String schedule, Instant scheduledFor, Instant at, String reason) {
        StoredFire.update("skipped = ?1, at = ?2 where schedule = ?3 and scheduledFor = ?4", reason, at, schedule, scheduledFor);
    }

    /** The fire started no run: whoever the schedule fires for may no longer run it. */
    @Transactional(TxType.REQUIRES_NEW)
    void refused(String schedule, Instant scheduledFor, Instant at, String reason) {
        StoredFire.update("refused = ?1, at = ?2 where schedule = ?3 and scheduledFor = ?4", reason, at, schedule, scheduledFor);
    }

    @Transactional(TxType.REQUIRED)
    List<StoredFire> recent(String schedule, int limit) {
        return StoredFire.<StoredFire> find("schedule", Sort.descending("scheduledFor"), schedule).page(0, limit).list();
    }
}

package dev.faultline.retention;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;

import org.jboss.logging.Logger;

import dev.faultline.DatabaseUnavailableException;
import dev.faultline.Durations;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Deletes what ended runs leave behind once it is older than its retention, and audit entries older than
 * theirs, in batches of {@code faultline.retention.batch} rows, each in a transaction of its own. A live
 * run (no end) never loses a row. Rows another instance's pass is deleting are skipped ({@code skip
 * locked}), so passes on several replicas at once share the work. A run records when its samples or its
 * timeline went, so that nobody reads their absence as "nothing was measured".
 */
@ApplicationScoped
public class Retention {

    private static final Logger LOG = Logger.getLogger(Retention.class);
    private static final Duration AUDIT_FLOOR = Duration.ofDays(1);

    private final RetentionConfig config;
    private final EntityManager entities;

    Retention(RetentionConfig config, EntityManager entities) {
        this.config = config;
        this.entities = entities;
    }

    /** How many rows one pass removed. */
    public record Removed(long samples, long timelines, long deliveries, long audit) {
    }

    void validate(@Observes StartupEvent event) {
        List<String> problems = new ArrayList<>();
        positive(problems, "faultline.retention.interval", config.interval());
        positive(problems, "faultline.retention.samples", config.samples());
        positive(problems, "faultline.retention.timelines", config.timelines());
        positive(problems, "faultline.retention.deliveries", config.deliveries());
        if (config.audit().compareTo(AUDIT_FLOOR) < 0) {
            problems.add("faultline.retention.audit must be at least P1D, found " + config.audit());
        }
        if (config.batch() < 1) {
            problems.add("faultline.retention.batch must be at least 1, found " + config.batch());
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(String.join("; ", problems));
        }
    }

    private static void positive(List<String> problems, String key, Duration value) {
        if (value.isZero() || value.isNegative()) {
            problems.add(key + " must be a positive duration such as P30D, found " + value);
        }
    }

    @Scheduled(every = "${faultline.retention.interval:PT1H}", delayed = "PT1M", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            executeWith = Scheduled.SIMPLE)
    void scheduled() {
        try {
            pass();
        } catch (RuntimeException e) {
            if (!DatabaseUnavailableException.isCause(e)) {
                throw e;
            }
            LOG.debugf("Retention pass skipped, the database does not answer: %s", e.getMessage());
        }
    }

    /** One pass over everything kept; logs one line with the counts. */
    public Removed pass() {
        long samples = batches(() -> endedRuns("run_sample", "samples_removed_at", config.samples()));
        long timelines = batches(() -> endedRuns("run_event", "timeline_removed_at", config.timelines()));
        long deliveries = batches(() -> endedRuns("notification_delivery", null, config.deliveries()))
                + batches(this::channelTests);
        long audit = batches(this::audit);
        LOG.infof("Retention pass removed %d samples (older than %s), %d timeline entries (%s), %d deliveries (%s), %d audit entries (%s)",
                samples, Durations.format(config.samples()), timelines, Durations.format(config.timelines()), deliveries,
                Durations.format(config.deliveries()), audit, Durations.format(config.audit()));
        return new Removed(samples, timelines, deliveries, audit);
    }

    /** Repeats {@code batch} (one statement, one transaction) until it removes less than a whole batch. */
    private long batches(Supplier<Number> batch) {
        long total = 0;
        long removed;
        do {
            removed = QuarkusTransaction.requiringNew().call(batch::get).longValue();
            total += removed;
        } while (removed >= config.batch());
        return total;
    }

    /** Deletes a batch of {@code table}'s rows of runs that ended before the retention, marking those runs in {@code mark}. */
    private Number endedRuns(String table, String mark, Duration retention) {
        String gone = "gone as (delete from " + table + " where id in (select t.id from " + table + " t join run r on r.id = t.run_id"
                + " where r.ended_at < now() - make_interval(secs => :seconds) limit :batch for update of t skip locked) returning run_id)";
        String marked = mark == null ? ""
                : ", marked as (update run set " + mark + " = now() where id in (select run_id from gone) and " + mark + " is null)";
        return (Number) entities.createNativeQuery("with " + gone + marked + " select count(*) from gone")
                .setParameter("seconds", retention.toSeconds()).setParameter("batch", config.batch()).getSingleResult();
    }

    private Number channelTests() {
        return entities.createNativeQuery("delete from notification_delivery where id in (select id from notification_delivery"
                + " where run_id is null and at < now() - make_interval(secs => :seconds) limit :batch for update skip locked)")
                .setParameter("seconds", config.deliveries().toSeconds()).setParameter("batch", config.batch()).executeUpdate();
    }

    /** The one way an audit entry goes: in this transaction only, for entries older than the retention the trigger checks again. */
    private Number audit() {
        String keep = config.audit().toSeconds() + " seconds";
        entities.createNativeQuery("select set_config('faultline.audit_expiry', 'on', true), set_config('faultline.audit_keep', :keep, true)")
                .setParameter("keep", keep).getSingleResult();
        return entities.createNativeQuery("delete from audit_entry where id in (select id from audit_entry"
                + " where at < now() - cast(:keep as interval) order by at limit :batch for update skip locked)")
                .setParameter("keep", keep).setParameter("batch", config.batch()).executeUpdate();
    }
}

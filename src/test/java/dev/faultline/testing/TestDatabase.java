package dev.faultline.testing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Empties Faultline's tables between tests, on the same PostgreSQL the application uses. The audit
 * log cannot be emptied (it is append-only); tests tell their entries apart by actor and time.
 */
@ApplicationScoped
public class TestDatabase {

    @Inject
    EntityManager entityManager;

    @Inject
    org.quartz.Scheduler quartz;

    public void clear() {
        try {
            quartz.clear(); // the schedules' and game days' triggers, before their rows go
        } catch (org.quartz.SchedulerException e) {
            throw new IllegalStateException(e);
        }
        QuarkusTransaction.requiringNew().run(() -> {
            entityManager.createNativeQuery("truncate schedule, schedule_fire, game_day, game_day_run, game_day_note restart identity")
                    .executeUpdate();
            entityManager.createNativeQuery("truncate experiment, experiment_revision, secret restart identity").executeUpdate();
            entityManager.createNativeQuery("truncate run, run_rule, run_event, run_sample, notification_delivery, channel restart identity").executeUpdate();
            entityManager.createNativeQuery("update halt set halted = false, reason = null").executeUpdate();
            entityManager.createNativeQuery("delete from app_user where username <> 'admin'").executeUpdate();
            entityManager.createNativeQuery("update app_user set roles = '{admin}', disabled = false, sessions_valid_after = null where username = 'admin'")
                    .executeUpdate();
            entityManager.createNativeQuery("delete from api_token").executeUpdate();
        });
    }

    /** The number of rows in {@code table}. */
    public long count(String table) {
        if (!table.matches("[a-z_]+")) {
            throw new IllegalArgumentException("not a table name: " + table);
        }
        return QuarkusTransaction.requiringNew().call(
                () -> ((Number) entityManager.createNativeQuery("select count(*) from " + table).getSingleResult()).longValue());
    }

    /**
     * How many rows of {@code table} PostgreSQL read from the table (by sequential scans and through its
     * indexes) while {@code work} ran, in one transaction that {@code work}'s reads join (those that
     * take part in a surrounding transaction). Sequential scans are off in it: on the few rows of a test a
     * sequential scan can be cheaper than the index and would read the whole table whatever the query
     * asks for; on a table the size of a production one the planner reads by the index, as here.
     */
    public long rowsRead(String table, Runnable work) {
        if (!table.matches("[a-z_]+")) {
            throw new IllegalArgumentException("not a table name: " + table);
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            entityManager.createNativeQuery("set local enable_seqscan = off").executeUpdate();
            long before = rowsReadSoFar(table);
            work.run();
            return rowsReadSoFar(table) - before;
        });
    }

    private long rowsReadSoFar(String table) {
        // this transaction's own counts, up to date at once (pg_stat_user_tables lags behind)
        return ((Number) entityManager.createNativeQuery("select coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0) "
                + "from pg_stat_xact_user_tables where relname = ?1").setParameter(1, table).getSingleResult()).longValue();
    }

    /**
     * A run in OBSERVING that no instance here carries out, whose owner elsewhere keeps beating (an hour
     * ahead), so no reconciler takes it over or ends it: its rows change only as the test writes them.
     */
    public String liveRun(String experiment) {
        String id = Long.toString(System.nanoTime(), 36);
        execute("insert into run (id, experiment, revision, document, state, target_namespace, target_service, started_by, created_at, "
                + "started_at, owner, heartbeat_at) values ('" + id + "', '" + experiment + "', 1, '{}', 'OBSERVING', 'bookinfo', 'reviews', "
                + "'admin', now(), now(), 'elsewhere', now() + interval '1 hour')");
        return id;
    }

    /** Stores {@code count} samples of the run's first guardrail, valued {@code first}, {@code first + 1}, … in that order. */
    public void storeSamples(String runId, int first, int count) {
        execute("insert into run_sample (run_id, check_path, phase, at, value, passed, threshold) select '" + runId
                + "', 'spec.guardrails[0]', 'OBSERVING', now() + g * interval '1 millisecond', g, true, 'errorRate < 0.2' "
                + "from generate_series(" + first + ", " + (first + count - 1) + ") g order by g");
    }

    /** Runs one SQL statement, for states the API cannot produce on demand (an expired token). */
    public void execute(String sql) {
        QuarkusTransaction.requiringNew().run(() -> entityManager.createNativeQuery(sql).executeUpdate());
    }
}

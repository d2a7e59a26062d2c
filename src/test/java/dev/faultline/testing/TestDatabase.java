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

    /** Runs one SQL statement, for states the API cannot produce on demand (an expired token). */
    public void execute(String sql) {
        QuarkusTransaction.requiringNew().run(() -> entityManager.createNativeQuery(sql).executeUpdate());
    }
}

package dev.faultline.testing;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.resource.jdbc.spi.StatementInspector;

import io.quarkus.hibernate.orm.PersistenceUnitExtension;

/**
 * Counts the SQL statements Hibernate prepares on the calling thread, so a test can tell how many
 * queries a page costs (background threads — heartbeats, sweeps — do not count).
 */
@PersistenceUnitExtension
@ApplicationScoped
public class StatementCounter implements StatementInspector {

    private static final ThreadLocal<int[]> PREPARED = ThreadLocal.withInitial(() -> new int[1]);

    @Override
    public String inspect(String sql) {
        PREPARED.get()[0]++;
        return sql;
    }

    /** How many statements {@code work} prepared on this thread. */
    public static int statementsOf(Runnable work) {
        int before = PREPARED.get()[0];
        work.run();
        return PREPARED.get()[0] - before;
    }
}

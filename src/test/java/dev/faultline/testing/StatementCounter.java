package dev.faultline.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.resource.jdbc.spi.StatementInspector;

import io.quarkus.hibernate.orm.PersistenceUnitExtension;

/**
 * Counts the SQL statements Hibernate prepares on the calling thread, so a test can tell how many
 * queries a page costs (background threads — heartbeats, sweeps — do not count); or, for work the
 * server does on its own threads (a request's), the statements of every thread meanwhile.
 */
@PersistenceUnitExtension
@ApplicationScoped
public class StatementCounter implements StatementInspector {

    private static final ThreadLocal<int[]> PREPARED = ThreadLocal.withInitial(() -> new int[1]);
    private static final AtomicReference<List<String>> EVERYWHERE = new AtomicReference<>();

    @Override
    public String inspect(String sql) {
        PREPARED.get()[0]++;
        List<String> everywhere = EVERYWHERE.get();
        if (everywhere != null) {
            everywhere.add(sql);
        }
        return sql;
    }

    /** How many statements {@code work} prepared on this thread. */
    public static int statementsOf(Runnable work) {
        int before = PREPARED.get()[0];
        work.run();
        return PREPARED.get()[0] - before;
    }

    /** The SQL of the statements any thread prepared while {@code work} ran, background ones included: filter for what you count. */
    public static synchronized List<String> statementsEverywhereDuring(Runnable work) {
        List<String> prepared = Collections.synchronizedList(new ArrayList<>());
        EVERYWHERE.set(prepared);
        try {
            work.run();
        } finally {
            EVERYWHERE.set(null);
        }
        return List.copyOf(prepared);
    }
}

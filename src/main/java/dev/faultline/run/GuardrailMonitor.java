package dev.faultline.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.faultline.experiment.spec.Guardrail;
import dev.faultline.metrics.Check;
import dev.faultline.metrics.PrometheusClient;
import dev.faultline.metrics.QueryResult;

/**
 * One loop that checks the guardrails of every live run. Each tick it takes the guardrails that are
 * due, sends each distinct PromQL query once (in parallel) and judges every guardrail that uses it.
 * A guardrail that fails {@code failureThreshold} times in a row — a query error or missing data
 * counts as a failure — breaches at once, on the thread that saw it. At most
 * {@code faultline.guardrails.max-concurrent-queries} queries are in flight at once, so that hundreds
 * of live runs queue here rather than overload Prometheus into timeouts (which would fail their checks).
 */
@ApplicationScoped
public class GuardrailMonitor {

    private static final Logger LOG = Logger.getLogger(GuardrailMonitor.class);
    private static final Duration TICK = Duration.ofMillis(20);

    /** Told about every check, and about the breach that ends a run. */
    interface Listener {
        void checked(Watch watch, Check check, Instant at);

        void breached(Watch watch, Check check, Instant at);
    }

    /** One guardrail of one live run. */
    static final class Watch {
        final String runId;
        final String path;
        final Guardrail guardrail;
        final String promql;
        final String targetNamespace;
        final Duration interval;
        final Listener listener;
        int consecutiveFailures;
        Instant due;
        volatile boolean running;

        Watch(String runId, String path, Guardrail guardrail, String promql, String targetNamespace, Duration interval,
                Listener listener, Instant firstDue) {
            this.runId = runId;
            this.path = path;
            this.guardrail = guardrail;
            this.promql = promql;
            this.targetNamespace = targetNamespace;
            this.interval = interval;
            this.listener = listener;
            this.due = firstDue;
        }
    }

    private final Map<String, List<Watch>> watches = new ConcurrentHashMap<>();
    private final MeasurementChecker checker;
    private final PrometheusClient prometheus;
    private final Clock clock;
    private final RunMetrics metrics;
    /** Queries in flight to Prometheus at most (its own default limit is 20 concurrent queries). */
    private final Semaphore queries;
    private final ExecutorService checks = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread loop;
    private volatile boolean stopped;

    GuardrailMonitor(MeasurementChecker checker, PrometheusClient prometheus, Clock clock, RunMetrics metrics,
            @ConfigProperty(name = "faultline.guardrails.max-concurrent-queries", defaultValue = "10") int maxConcurrentQueries) {
        this.queries = new Semaphore(maxConcurrentQueries);
        this.checker = checker;
        this.prometheus = prometheus;
        this.clock = clock;
        this.metrics = metrics;
        this.loop = Thread.ofPlatform().name("guardrail-monitor").daemon().unstarted(this::loop);
        this.loop.start();
    }

    void watch(String runId, List<Watch> guardrails) {
        if (!guardrails.isEmpty()) {
            watches.put(runId, List.copyOf(guardrails));
        }
    }

    void unwatch(String runId) {
        watches.remove(runId);
    }

    private void loop() {
        while (!stopped) {
            try {
                tick(clock.instant());
            } catch (RuntimeException e) {
                LOG.error("Guardrail monitor tick failed; carrying on", e);
            }
            LockSupport.parkNanos(TICK.toNanos());
        }
    }

    /** Starts the checks that are due: one query per distinct PromQL, then every guardrail that uses it. */
    void tick(Instant now) {
        Map<String, List<Watch>> byQuery = new LinkedHashMap<>();
        for (List<Watch> run : watches.values()) {
            for (Watch watch : run) {
                if (!watch.running && !watch.due.isAfter(now)) {
                    watch.running = true;
                    watch.due = now.plus(watch.interval);
                    String key = watch.promql != null ? watch.promql : "\u0000" + watch.runId + watch.path;
                    byQuery.computeIfAbsent(key, k -> new ArrayList<>()).add(watch);
                }
            }
        }
        byQuery.forEach((query, group) -> checks.execute(() -> check(group)));
    }

    private void check(List<Watch> group) {
        Watch first = group.get(0);
        var result = first.promql != null ? query(first.promql) : null;
        for (Watch watch : group) {
            try {
                Check check = result != null
                        ? MeasurementChecker.judge(result, watch.guardrail.tolerance())
                        : checker.check(watch.guardrail.measurement(), watch.guardrail.tolerance(), watch.targetNamespace);
                judge(watch, check);
            } catch (RuntimeException e) {
                judge(watch, Check.failed(null, "the check itself failed: " + e));
            } finally {
                watch.running = false;
            }
        }
    }

    private QueryResult query(String promql) {
        queries.acquireUninterruptibly();
        long started = System.nanoTime();
        QueryResult result;
        try {
            result = prometheus.query(promql);
        } finally {
            queries.release();
        }
        metrics.guardrailQuery(System.nanoTime() - started, result); // never throws
        return result;
    }

    private void judge(Watch watch, Check check) {
        Instant at = clock.instant();
        watch.consecutiveFailures = check.passed() ? 0 : watch.consecutiveFailures + 1;
        // recorded first (a cheap hand-over), so that the breaching sample is stored before the run ends
        watch.listener.checked(watch, check, at);
        if (!check.passed() && watch.consecutiveFailures >= watch.guardrail.effectiveFailureThreshold()
                && watches.remove(watch.runId) != null) {
            watch.listener.breached(watch, check, at);
        }
    }

    @PreDestroy
    void stop() {
        stopped = true;
        checks.shutdownNow();
    }
}

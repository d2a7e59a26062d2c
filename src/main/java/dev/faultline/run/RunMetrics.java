package dev.faultline.run;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.faultline.metrics.QueryResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;

/**
 * Faultline's own metrics, served with the others at {@code /q/metrics} for Prometheus to scrape:
 * runs live and ended, aborts by cause, rules live and needing cleanup, breach-to-removal time, the
 * guardrails' queries, the reconciler's sweeps, and whether the database, the Kubernetes API and the
 * kill switch are as they should be. Every gauge reads this instance's memory — never the database,
 * which a scrape must not wait for. Every method here swallows its own failures: a metric that cannot
 * be recorded never stops a removal or a run. No label carries a name, a reason or a secret: verdicts
 * and causes are fixed lists.
 */
@Singleton
@Startup
class RunMetrics {

    private static final Logger LOG = Logger.getLogger(RunMetrics.class);

    /** Why an ABORTED run was aborted, as a fixed label value. */
    enum Cause {
        GUARDRAIL, USER, KILL_SWITCH, OWNER_LOST, DATABASE_LOST, RESTARTED, SHUTDOWN, OTHER;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /**
         * The cause of an abort, from the reason it ends with. The reasons are written where each
         * abort starts: RunEngine#abort (a user, or a game day cancelled by one), Observation (a
         * guardrail), HaltService and Reconciler#beat (the kill switch), LiveRuns#loseControl (the dead
         * man's switch), Reconciler (owner lost, orchestrator restarted), RunEngine#shutdown.
         */
        static Cause of(String reason) {
            if (reason == null) {
                return OTHER;
            }
            if (reason.startsWith("aborted by ")) {
                return USER;
            }
            if (reason.startsWith("guardrail \"")) {
                return GUARDRAIL;
            }
            if (reason.startsWith("halted by ")) {
                return KILL_SWITCH;
            }
            if (reason.startsWith("database unreachable for ")) {
                return DATABASE_LOST;
            }
            if (reason.startsWith(Reconciler.OWNER_LOST)) {
                return OWNER_LOST;
            }
            if (reason.startsWith(Reconciler.RESTARTED)) {
                return RESTARTED;
            }
            if (reason.startsWith(RunEngine.SHUTTING_DOWN)) {
                return SHUTDOWN;
            }
            return OTHER;
        }
    }

    private final Map<RunState, Counter> ended = new EnumMap<>(RunState.class);
    private final Map<Cause, Counter> aborts = new EnumMap<>(Cause.class);
    private final Timer breachToRemoval;
    private final Timer guardrailQueries;
    private final MeterRegistry registry;
    private final Counter sweeps;
    private final Counter lookedAgain;
    private final Counter sweptAway;
    private final LiveRuns live;
    private final HaltService halt;
    private final DatabaseContact database;
    /** Per namespace, the rules the last sweep that could read it found due and could not remove. */
    private final Map<String, Integer> leftBehind = new ConcurrentHashMap<>();
    private volatile boolean kubernetesReachable = true;

    RunMetrics(MeterRegistry registry, LiveRuns live, HaltService halt, DatabaseContact database) {
        this.registry = registry;
        this.live = live;
        this.halt = halt;
        this.database = database;
        for (RunState state : RunState.values()) {
            if (state.isTerminal()) {
                ended.put(state, Counter.builder("faultline.runs.ended").description("Runs ended by this instance, by verdict")
                        .tag("verdict", state.name()).register(registry));
            }
        }
        for (Cause cause : Cause.values()) {
            aborts.put(cause, Counter.builder("faultline.aborts").description("Runs ended ABORTED by this instance, by what aborted them")
                    .tag("cause", cause.label()).register(registry));
        }
        breachToRemoval = Timer.builder("faultline.breach.to.removal")
                .description("From a guardrail's breach seen to the run's rules removed from the mesh")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(5)).maximumExpectedValue(Duration.ofMinutes(2))
                .register(registry);
        guardrailQueries = Timer.builder("faultline.guardrail.query").description("Prometheus queries of guardrails, answered or not")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(5)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        for (QueryResult.Kind kind : QueryResult.Kind.values()) {
            if (kind != QueryResult.Kind.NO_DATA) {
                failureCounter(kind);
            }
        }
        lookedAgain = Counter.builder("faultline.guardrail.checks.looked.again")
                .description("Guardrail checks in step with the scrape that found the scrape not stored yet and looked again")
                .register(registry);
        sweeps = Counter.builder("faultline.reconciler.sweeps").description("Reconciler passes over the namespaces rules can be in")
                .register(registry);
        sweptAway = Counter.builder("faultline.reconciler.rules.removed").description("Rules left behind that the reconciler removed")
                .register(registry);
        Gauge.builder("faultline.runs.live", this, m -> m.read(() -> live.liveCount()))
                .description("Runs this instance carries out now").register(registry);
        Gauge.builder("faultline.rules.live", this, m -> m.read(() -> live.rulesHeld()))
                .description("Fault rules this instance's live runs hold in the mesh").register(registry);
        Gauge.builder("faultline.rules.needing.cleanup", this, m -> m.read(m::needingCleanup))
                .description("Rules that should be gone and could not be removed yet: held by stopped runs here, or found by the last sweep")
                .register(registry);
        Gauge.builder("faultline.database.reachable", this, m -> m.read(() -> database.reachable() ? 1 : 0))
                .description("1 while this instance's heartbeat reaches its database").register(registry);
        Gauge.builder("faultline.kubernetes.reachable", this, m -> m.kubernetesReachable ? 1 : 0)
                .description("1 when the reconciler's last sweep reached the Kubernetes API").register(registry);
        Gauge.builder("faultline.halted", this, m -> m.read(() -> halt.haltedAsKnown() ? 1 : 0))
                .description("1 while the kill switch is engaged, as this instance knows it").register(registry);
    }

    /** Every ending this instance stored passes here once (RunLifecycle#end fires it). */
    void ended(@ObservesAsync RunEvent event) {
        safely(() -> {
            if (event.state() == null || !event.state().isTerminal()) {
                return;
            }
            ended.get(event.state()).increment();
            if (event.state() == RunState.ABORTED) {
                aborts.get(Cause.of(event.reason())).increment();
            }
        });
    }

    /** A guardrail of {@code run} breached: the clock to its rules' removal starts (once). */
    void breached(LiveRun run) {
        safely(() -> run.breachedNanos.compareAndSet(0, System.nanoTime()));
    }

    /** The run holds no rule any more: when a breach started the clock, it stops. */
    void rulesRemoved(LiveRun run) {
        safely(() -> {
            long breached = run.breachedNanos.getAndSet(0);
            if (breached != 0) {
                breachToRemoval.record(System.nanoTime() - breached, TimeUnit.NANOSECONDS);
            }
        });
    }

    /** One Prometheus query of the guardrails, and what it gave. */
    void guardrailQuery(long nanos, QueryResult result) {
        safely(() -> {
            guardrailQueries.record(nanos, TimeUnit.NANOSECONDS);
            if (result instanceof QueryResult.Failure failure && failure.kind() != QueryResult.Kind.NO_DATA) {
                failureCounter(failure.kind()).increment();
            }
        });
    }

    /** A check in step with the scrape found its scrape not stored yet, and looks again. */
    void lookedAgain() {
        safely(lookedAgain::increment);
    }

    /** The reconciler removed a rule left behind. */
    void sweptAway() {
        safely(sweptAway::increment);
    }

    /**
     * A sweep is done: whether the Kubernetes API answered it, and per namespace it could read, how
     * many rules due it could not remove (a namespace it could not read keeps its last figure).
     */
    void swept(boolean apiAnswered, Map<String, Integer> notRemoved) {
        safely(() -> {
            sweeps.increment();
            kubernetesReachable = apiAnswered;
            leftBehind.putAll(notRemoved);
        });
    }

    private int needingCleanup() {
        return live.rulesAwaitingRemoval() + leftBehind.values().stream().mapToInt(Integer::intValue).sum();
    }

    private Counter failureCounter(QueryResult.Kind kind) {
        return Counter.builder("faultline.guardrail.query.failures").description("Guardrail queries Prometheus did not answer usably")
                .tag("kind", kind.name().toLowerCase(java.util.Locale.ROOT)).register(registry);
    }

    private double read(java.util.function.IntSupplier value) {
        try {
            return value.getAsInt();
        } catch (RuntimeException e) {
            LOG.debugf(e, "A gauge of Faultline could not be read");
            return Double.NaN;
        }
    }

    private static void safely(Runnable recording) {
        try {
            recording.run();
        } catch (RuntimeException e) {
            LOG.debugf(e, "A metric of Faultline could not be recorded");
        }
    }
}

package dev.faultline.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.faultline.experiment.spec.ExperimentSpec;
import dev.faultline.experiment.spec.Guardrail;
import dev.faultline.mesh.Drift;
import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.FaultRequest;
import dev.faultline.mesh.RuleRef;
import dev.faultline.metrics.Check;

/**
 * OBSERVING: the run's faults stay live for its duration, stepped up through its ramp; meanwhile its
 * guardrails are checked (a breach aborts the run) and its rule is watched for changes by others (a
 * removal not by Faultline fails the run).
 */
@ApplicationScoped
class Observation {

    private static final Logger LOG = Logger.getLogger(Observation.class);
    /** How long a rule seen removed waits for an abort or a halt by another instance to be stored before it counts as drift. */
    static final Duration DRIFT_CONFIRMATION = Duration.ofMillis(700);

    private final RunStore store;
    private final RunLifecycle lifecycle;
    private final LiveRuns liveRuns;
    private final SampleRecorder samples;
    private final FaultInjector injector;
    private final GuardrailMonitor monitor;
    private final MeasurementChecker checker;
    private final Clock clock;
    private final Duration defaultInterval;
    private final RunMetrics metrics;

    Observation(RunStore store, RunLifecycle lifecycle, LiveRuns liveRuns, SampleRecorder samples, FaultInjector injector,
            GuardrailMonitor monitor, MeasurementChecker checker, Clock clock, RunMetrics metrics,
            @ConfigProperty(name = "faultline.guardrails.default-interval", defaultValue = "PT1S") Duration defaultInterval) {
        this.store = store;
        this.lifecycle = lifecycle;
        this.liveRuns = liveRuns;
        this.samples = samples;
        this.injector = injector;
        this.monitor = monitor;
        this.checker = checker;
        this.clock = clock;
        this.defaultInterval = defaultInterval;
        this.metrics = metrics;
    }

    /** Holds the faults until the run's duration from {@code started} has passed, or it is stopped; each ramp step in its turn. */
    void observe(LiveRun run, RuleRef rule, Instant started) throws InterruptedException {
        ExperimentSpec spec = run.experiment.spec();
        Instant end = started.plus(spec.duration());
        for (int i = 0; i < spec.rampUp().size() && !run.stopped(); i++) {
            ExperimentSpec.RampStep step = spec.rampUp().get(i);
            if (i > 0) {
                FaultRequest capped = run.request(clock.instant(), step.percentage());
                injector.adjust(rule, capped.delayPercentage(), capped.abortPercentage(), liveRuns.fence(run));
                lifecycle.durably("a ramp step of run " + run.id,
                        () -> store.event(run.owner, TimelineKind.RAMP, "faults at " + step.percentage() + "%", clock.instant()));
            }
            Instant stepEnd = minimum(clock.instant().plus(step.hold()), end);
            if (run.awaitStop(Duration.between(clock.instant(), stepEnd).toMillis())) {
                return;
            }
        }
        if (!spec.rampUp().isEmpty() && !run.stopped()) {
            FaultRequest full = run.request(clock.instant(), null);
            injector.adjust(rule, full.delayPercentage(), full.abortPercentage(), liveRuns.fence(run));
            lifecycle.durably("a ramp step of run " + run.id,
                    () -> store.event(run.owner, TimelineKind.RAMP, "faults at their full percentage", clock.instant()));
        }
        run.awaitStop(Duration.between(clock.instant(), end).toMillis());
    }

    /** What the guardrail monitor checks for the run: each guardrail, its samples recorded, a breach aborting the run. */
    List<GuardrailMonitor.Watch> guardrails(LiveRun run) {
        ExperimentSpec spec = run.experiment.spec();
        List<GuardrailMonitor.Watch> watches = new ArrayList<>();
        Instant now = clock.instant();
        GuardrailMonitor.Listener listener = new GuardrailMonitor.Listener() {
            @Override
            public void checked(GuardrailMonitor.Watch watch, Check check, Instant at) {
                samples.record(run.owner, watch.path, "OBSERVING", at, check.value(), check.passed(),
                        MeasurementChecker.threshold(watch.guardrail.tolerance()), check.reason());
            }

            @Override
            public void timing(GuardrailMonitor.Watch watch, String description, Instant at) {
                try { // a note for the user, not a state: lost if the database is away right now
                    store.event(run.owner, TimelineKind.CHECK_TIMING, watch.path + " \"" + watch.guardrail.name() + "\": "
                            + description, at);
                } catch (RuntimeException e) {
                    LOG.debugf("Run %s: could not note how %s is timed: %s", run.id, watch.path, e);
                }
            }

            @Override
            public void breached(GuardrailMonitor.Watch watch, Check check, Instant at) {
                metrics.breached(run);
                liveRuns.abort(run, "guardrail \"" + watch.guardrail.name() + "\" breached: " + check.reason()
                        + (watch.guardrail.effectiveFailureThreshold() > 1
                                ? " (" + watch.guardrail.effectiveFailureThreshold() + " failed checks in a row)"
                                : ""));
            }
        };
        for (int i = 0; i < spec.guardrails().size(); i++) {
            Guardrail guardrail = spec.guardrails().get(i);
            Duration interval = guardrail.interval() != null ? guardrail.interval() : defaultInterval;
            String namespace = spec.target().namespace();
            watches.add(new GuardrailMonitor.Watch(run.id, "spec.guardrails[" + i + "]", guardrail,
                    checker.promql(guardrail.measurement(), namespace).orElse(null),
                    checker.goldenSignal(guardrail.measurement(), namespace).orElse(null), namespace,
                    interval, listener, firstCheck(now, interval)));
        }
        return watches;
    }

    /**
     * A random moment within the first interval (and second): runs started together, after a re-arm
     * say, then do not all query Prometheus in the same instant for ever after.
     */
    private static Instant firstCheck(Instant now, Duration interval) {
        return now.plusMillis(ThreadLocalRandom.current().nextLong(Math.max(1, Math.min(interval.toMillis(), 1000))));
    }

    /**
     * The run's rule went missing, and not by this instance. An abort or a halt from another instance
     * removes rules too, and is stored right before or after: wait a moment for it, and stop the run
     * for what it was. Otherwise someone else removed the fault: the run fails, and Faultline does not
     * write the rule back.
     */
    void drifted(LiveRun run, Drift drift) {
        if (run.recovering || run.stopped()) {
            return;
        }
        Thread.ofVirtual().name("drift-" + run.id).start(() -> {
            sleep(DRIFT_CONFIRMATION);
            if (run.recovering || run.stopped()) {
                return;
            }
            Optional<String> byFaultline = stoppedElsewhere(run.id);
            if (byFaultline.isPresent()) {
                liveRuns.abort(run, byFaultline.get());
                return;
            }
            LOG.warnf("Run %s: %s", run.id, drift.change());
            if (run.stop(LiveRun.Stop.drift("the fault was removed by someone else at "
                    + drift.at().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " (" + drift.change()
                    + "); results after that are not the fault's", drift.at()))) {
                monitor.unwatch(run.id);
                run.closeWatch();
            }
        });
    }

    /** Why another instance took the run's rules out, when it did: an abort asked for, or the kill switch. */
    private Optional<String> stoppedElsewhere(String runId) {
        try {
            Optional<String> abort = store.facts(runId).map(RunStore.Facts::abortReason);
            if (abort.isPresent()) {
                return abort;
            }
            Run.Halt halt = store.halt();
            return halt.halted() ? Optional.of("halted by " + halt.changedBy() + (halt.reason() == null ? "" : ": " + halt.reason()))
                    : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Instant minimum(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.faultline.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.faultline.Durations;
import dev.faultline.experiment.spec.ExperimentSpec;
import dev.faultline.experiment.spec.Guardrail;
import dev.faultline.experiment.spec.Probe;
import dev.faultline.metrics.Check;
import io.quarkus.runtime.ShutdownEvent;

/**
 * The steady state of a run checked once (its probes, and after the rules are removed its guardrails
 * too), and the wait for it to hold again after the removal: sampled every
 * {@code faultline.run.recovery-interval} from the removal on, it has recovered once it holds from
 * some moment until at least the settle time — that moment is its time to recover — and it has not
 * when it still fails {@code faultline.run.recovery-timeout} after the settle time. A completed run
 * waits for it in POSTCHECK; an aborted one has ended already and is followed here, off its thread.
 */
@ApplicationScoped
class SteadyStateRecovery {

    private static final Logger LOG = Logger.getLogger(SteadyStateRecovery.class);

    /** How the wait went: held again from {@code holdsAgainAt} on, or still failing with {@code failure}; null fields when it was cut short. */
    record Outcome(Instant holdsAgainAt, double seconds, String failure) {

        boolean held() {
            return holdsAgainAt != null;
        }

        boolean cutShort() {
            return holdsAgainAt == null && failure == null;
        }
    }

    /** Waits between two samples; true when the wait should end there (the run was stopped or taken over). */
    @FunctionalInterface
    interface Pause {
        boolean stopped(Duration wait) throws InterruptedException;
    }

    private final MeasurementChecker checker;
    private final SampleRecorder samples;
    private final RunLifecycle lifecycle;
    private final RunStore store;
    private final RunConfig config;
    private final Clock clock;
    private final ExecutorService followers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("recovery-", 0).factory());

    SteadyStateRecovery(MeasurementChecker checker, SampleRecorder samples, RunLifecycle lifecycle, RunStore store, RunConfig config,
            Clock clock) {
        this.checker = checker;
        this.samples = samples;
        this.lifecycle = lifecycle;
        this.store = store;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Checks every steady-state probe once — and every guardrail, when {@code withGuardrails} — recording
     * each sample under {@code phase}; the first failure's reason.
     */
    Optional<String> failure(Ownership owner, ExperimentSpec spec, String phase, boolean withGuardrails) {
        String first = null;
        List<Probe> probes = spec.steadyState() == null ? List.of() : spec.steadyState().probes();
        for (int i = 0; i < probes.size(); i++) {
            Probe probe = probes.get(i);
            String failed = sample(owner, "spec.steadyState.probes[" + i + "]", phase, probe.name(),
                    checker.check(probe.measurement(), probe.tolerance(), spec.target().namespace()), probe.tolerance());
            first = first != null ? first : failed;
        }
        if (withGuardrails) {
            for (int i = 0; i < spec.guardrails().size(); i++) {
                Guardrail guardrail = spec.guardrails().get(i);
                String failed = sample(owner, "spec.guardrails[" + i + "]", phase, "guardrail \"" + guardrail.name() + "\"",
                        checker.check(guardrail.measurement(), guardrail.tolerance(), spec.target().namespace()), guardrail.tolerance());
                first = first != null ? first : failed;
            }
        }
        return Optional.ofNullable(first);
    }

    private String sample(Ownership owner, String path, String phase, String name, Check check, dev.faultline.experiment.spec.Tolerance tolerance) {
        samples.record(owner, path, phase, clock.instant(), check.value(), check.passed(), MeasurementChecker.threshold(tolerance),
                check.reason());
        return check.passed() ? null : name + ": " + check.reason();
    }

    /** What a run waiting for its recovery says it does. */
    String plan() {
        return "checking the steady state every " + Durations.format(config.recoveryInterval()) + " until it holds through the "
                + Durations.format(config.settleTime()) + " settle time, for up to " + Durations.format(window());
    }

    /** The longest the steady state may take to hold again after the removal. */
    Duration window() {
        return config.settleTime().plus(config.recoveryTimeout());
    }

    /** Samples the steady state (probes and guardrails) from {@code removedAt} on until it has recovered or may no longer; records the recovery. */
    Outcome await(Ownership owner, ExperimentSpec spec, String phase, Instant removedAt, Pause pause) {
        Instant settled = removedAt.plus(config.settleTime());
        Instant deadline = settled.plus(config.recoveryTimeout());
        Instant holdingSince = null;
        while (true) {
            Optional<String> failure = failure(owner, spec, phase, true);
            Instant now = clock.instant();
            if (failure.isEmpty()) {
                holdingSince = holdingSince != null ? holdingSince : now;
                if (!now.isBefore(settled)) {
                    double seconds = Duration.between(removedAt, holdingSince).toMillis() / 1000.0;
                    lifecycle.recovered(owner, seconds, holdingSince);
                    return new Outcome(holdingSince, seconds, null);
                }
            } else {
                holdingSince = null;
                if (!now.isBefore(deadline)) {
                    return new Outcome(null, 0, failure.get());
                }
            }
            Duration wait = config.recoveryInterval();
            if (holdingSince != null && Duration.between(now, settled).compareTo(wait) < 0) {
                wait = Duration.between(now, settled); // the check that ends the wait falls on the settle time
            }
            Duration left = Duration.between(now, deadline);
            wait = left.compareTo(wait) < 0 ? left : wait;
            try {
                if (pause.stopped(wait)) {
                    return new Outcome(null, 0, null);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(null, 0, null);
            }
        }
    }

    /**
     * After an abort, on a thread of its own (the run has ended): how long the steady state took to
     * hold again, or a note on the timeline that it did not within the window. The verdict stays.
     */
    void follow(Ownership owner, ExperimentSpec spec, Instant removedAt) {
        if (spec.steadyState() == null && spec.guardrails().isEmpty()) {
            return;
        }
        followers.execute(() -> {
            try {
                Outcome outcome = await(owner, spec, "RECOVERY", removedAt, wait -> {
                    Thread.sleep(Math.max(1, wait.toMillis()));
                    return false;
                });
                if (!outcome.held() && !outcome.cutShort()) {
                    store.event(owner, TimelineKind.NOT_RECOVERED, "the steady state did not come back within "
                            + Durations.format(window()) + " of the rules' removal: " + outcome.failure(), clock.instant());
                }
            } catch (FencedException e) {
                LOG.debugf("Run %s was taken over while its recovery was followed", owner.runId());
            } catch (RuntimeException e) {
                LOG.warnf("Run %s: its recovery could not be followed: %s", owner.runId(), e.toString());
            }
        });
    }

    void shutdown(@Observes ShutdownEvent event) {
        followers.shutdownNow();
        try {
            followers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

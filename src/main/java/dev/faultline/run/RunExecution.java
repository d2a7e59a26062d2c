package dev.faultline.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.faultline.Durations;
import dev.faultline.FieldError;
import dev.faultline.experiment.spec.ExperimentSpec;
import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.FaultPlan;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.RuleRef;

/**
 * One run from its start to its end, on its own thread: PRECHECK, INJECTING, OBSERVING (through
 * {@link Observation}), RECOVERING, POSTCHECK. A rule is written only after INJECTING is stored and
 * while this instance still holds the run; once anything may have been written, recovery always
 * runs, and it takes the rules out before it records anything.
 */
@ApplicationScoped
class RunExecution {

    private static final Logger LOG = Logger.getLogger(RunExecution.class);

    private final RunStore store;
    private final RunLifecycle lifecycle;
    private final LiveRuns liveRuns;
    private final RuleRemovals removals;
    private final Observation observation;
    private final HaltService halts;
    private final SampleRecorder samples;
    private final FaultInjector injector;
    private final GuardrailMonitor monitor;
    private final SteadyStateRecovery steadyState;
    private final RunPolicy policy;
    private final ProbeTargets probeTargets;
    private final RuleNamespaces namespaces;
    private final RunConfig config;
    private final Clock clock;

    RunExecution(RunStore store, RunLifecycle lifecycle, LiveRuns liveRuns, RuleRemovals removals, Observation observation,
            HaltService halts, SampleRecorder samples, FaultInjector injector, GuardrailMonitor monitor, SteadyStateRecovery steadyState,
            RunPolicy policy, ProbeTargets probeTargets, RuleNamespaces namespaces, RunConfig config, Clock clock) {
        this.store = store;
        this.lifecycle = lifecycle;
        this.liveRuns = liveRuns;
        this.removals = removals;
        this.observation = observation;
        this.halts = halts;
        this.samples = samples;
        this.injector = injector;
        this.monitor = monitor;
        this.steadyState = steadyState;
        this.policy = policy;
        this.probeTargets = probeTargets;
        this.namespaces = namespaces;
        this.config = config;
        this.clock = clock;
    }

    /** Carries the run out to its end; the ending is completed on {@link LiveRun#ended}, unless another instance took the run over. */
    void carryOut(LiveRun run) {
        Ownership owner = run.owner;
        ExperimentSpec spec = run.experiment.spec();
        boolean mayHaveWritten = false;
        boolean recorded = false;
        String failure = null;
        Instant removedAt = null;
        try {
            lifecycle.move(owner, RunState.PRECHECK, "checking policy, target and steady state", clock.instant());
            Optional<String> refusal = precheck(run);
            if (refusal.isPresent() || run.stopped()) {
                run.ended.complete(lifecycle.end(owner, RunState.CANCELLED, refusal.orElseGet(() -> run.stopReason().reason())));
                return;
            }
            lifecycle.move(owner, RunState.INJECTING, "writing the fault rules", clock.instant());
            mayHaveWritten = true;
            if (run.stopped()) {
                throw new StoppedBeforeWriting();
            }
            lifecycle.started(run.id, run.startedBy, clock.instant());
            Instant started = clock.instant();
            List<ExperimentSpec.RampStep> ramp = spec.rampUp();
            namespaces.written(spec.target().namespace());
            RuleRef rule = injector.apply(run.request(clock.instant(), ramp.isEmpty() ? null : ramp.get(0).percentage()), liveRuns.fence(run));
            run.rules.add(rule);
            if (run.stopped()) {
                removals.removeHeld(run); // stopped while the rule was being written: its stopper may have found nothing to remove
            }
            run.watch = injector.watch(rule, drift -> observation.drifted(run, drift));
            lifecycle.durably("the rule of run " + run.id, () -> store.ruleApplied(owner, rule));
            recorded = true;
            lifecycle.durably("the rule of run " + run.id, () -> store.event(owner, TimelineKind.RULE_APPLIED,
                    rule.route() + " in " + rule.kind() + " " + rule.namespace() + "/" + rule.resource(), rule.appliedAt()));
            if (!run.stopped()) {
                monitor.watch(run.id, observation.guardrails(run));
                lifecycle.move(owner, RunState.OBSERVING, "faults are live; watching " + spec.guardrails().size() + " guardrails",
                        clock.instant());
                observation.observe(run, rule, started);
            }
        } catch (FencedException e) {
            liveRuns.fenced(run);
        } catch (StoppedBeforeWriting e) {
            // stopped while INJECTING was being stored (the database was away): nothing is written
        } catch (MeshException e) {
            failure = e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        } catch (RuntimeException e) {
            LOG.errorf(e, "Run %s failed", run.id);
            failure = e.toString();
        } finally {
            monitor.unwatch(run.id);
            if (mayHaveWritten) {
                recover(run, failure, recorded);
                removedAt = clock.instant();
            }
        }
        if (run.fenced()) {
            return;
        }
        try {
            removals.record(run);
            if (mayHaveWritten && !run.rules.isEmpty() && failure == null && run.stopReason() == null) {
                failure = "the rules could not be removed: " + run.rules.stream().map(RuleRef::route).toList()
                        + "; the reconciler keeps trying";
            }
            LiveRun.Stop stop = run.stopReason();
            if (!mayHaveWritten) {
                run.ended.complete(lifecycle.end(owner, RunState.CANCELLED,
                        stop != null ? stop.reason() : "could not check before injecting: " + failure));
            } else if (stop != null) {
                run.ended.complete(lifecycle.end(owner, stop.verdict(), stop.reason()));
                if (stop.verdict() == RunState.ABORTED) {
                    steadyState.follow(owner, spec, removedAt);
                }
            } else if (failure != null) {
                run.ended.complete(lifecycle.end(owner, RunState.FAILED, failure));
            } else {
                run.ended.complete(postcheck(run));
            }
        } catch (FencedException e) {
            liveRuns.fenced(run);
        }
    }

    /**
     * Takes the rules out — from memory first; then, when the apply failed before its rule was
     * recorded, whatever the mesh holds for the run. Meanwhile, on a thread of its own so that the
     * removal never waits for it, why the run stopped and RECOVERING (at the moment it began) are
     * recorded; every removal is recorded after both.
     */
    private void recover(LiveRun run, String failure, boolean recorded) {
        Instant began = clock.instant();
        run.recovering = true;
        run.closeWatch();
        LiveRun.Stop stop = run.stopReason();
        Thread recording = Thread.ofVirtual().name("recovering-" + run.id).start(() -> {
            if (run.fenced()) {
                return;
            }
            try {
                if (stop != null) {
                    lifecycle.durably("the abort of run " + run.id, () -> store.event(run.owner, stop.kind(), stop.reason(), stop.at()));
                }
                lifecycle.move(run.owner, RunState.RECOVERING, stop != null ? stop.reason()
                        : failure != null ? "removing the rules after: " + failure : "duration reached; removing the rules",
                        stop != null && stop.at().isBefore(began) ? stop.at() : began);
            } catch (FencedException e) {
                liveRuns.fenced(run);
            }
        });
        removals.removeHeld(run);
        if (!recorded) {
            removals.removeUnrecorded(run);
        }
        join(recording);
        if (run.fenced()) {
            return;
        }
        try {
            removals.record(run);
        } catch (FencedException e) {
            liveRuns.fenced(run);
        }
    }

    private Optional<String> precheck(LiveRun run) {
        ExperimentSpec spec = run.experiment.spec();
        Run.Halt unstored = halts.unstored();
        Run.Halt halt = unstored != null ? unstored : store.halt();
        if (halt.halted()) {
            return Optional.of("Faultline is halted" + (halt.reason() == null ? "" : " (" + halt.reason() + ")") + "; re-arm it first");
        }
        int alreadyLive = liveRuns.liveCount() - 1; // this run is counted already
        if (alreadyLive >= config.maxLive()) {
            return Optional.of(alreadyLive + " runs are live on this instance and faultline.run.max-live is " + config.maxLive()
                    + "; wait for one to end, or raise faultline.run.max-live");
        }
        List<FieldError> violations = policy.violations(spec);
        if (!violations.isEmpty()) {
            return Optional.of("the policy forbids this run: " + violations.stream().map(v -> v.path() + ": " + v.message()).toList());
        }
        Optional<String> egress = probeTargets.refusal(spec);
        if (egress.isPresent()) {
            return egress;
        }
        List<String> others = store.liveOnTarget(spec.target().namespace(), spec.target().serviceName(), run.id);
        if (!others.isEmpty()) {
            return Optional.of("run " + others.get(0) + " is already live on " + spec.target().service() + " in " + spec.target().namespace());
        }
        try {
            FaultPlan plan = injector.plan(run.request(clock.instant(), null));
            if (!plan.refusals().isEmpty()) {
                return Optional.of(String.join("; ", plan.refusals()));
            }
            if (plan.needsConsent() && !run.widerBlastRadius) {
                return Optional.of(String.join("; ", plan.wider()));
            }
        } catch (MeshException e) {
            return Optional.of(e.getMessage());
        }
        return failedProbe(run, "PRECHECK").map(reason -> "the steady state does not hold before injection: " + reason);
    }

    /**
     * The run as it ended, or null when another instance took it over meanwhile: COMPLETED once the
     * steady state (probes and guardrails) holds again through the settle time, its time to recover
     * recorded; DEVIATED when it has not within the recovery window.
     */
    private Run postcheck(LiveRun run) {
        ExperimentSpec spec = run.experiment.spec();
        Instant removedAt = clock.instant();
        boolean nothingToCheck = (spec.steadyState() == null || spec.steadyState().probes().isEmpty()) && spec.guardrails().isEmpty();
        lifecycle.move(run.owner, RunState.POSTCHECK, nothingToCheck
                ? "rules removed; waiting " + Durations.format(config.settleTime()) + " (no steady state to check)"
                : "rules removed; " + steadyState.plan(), removedAt);
        SteadyStateRecovery.Outcome outcome = nothingToCheck ? null
                : steadyState.await(run.owner, spec, "POSTCHECK", removedAt, wait -> run.awaitStop(wait.toMillis()) || run.fenced());
        if (nothingToCheck) {
            try {
                run.awaitStop(config.settleTime().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (run.fenced()) {
            return null;
        }
        if (run.stopped()) {
            return lifecycle.end(run.owner, RunState.ABORTED, run.stopReason().reason());
        }
        if (outcome == null || outcome.held()) {
            return lifecycle.end(run.owner, RunState.COMPLETED, "the steady state held");
        }
        return lifecycle.end(run.owner, RunState.DEVIATED, outcome.cutShort() ? "interrupted while checking the steady state"
                : "the steady state did not come back within " + Durations.format(steadyState.window()) + " of the rules' removal: "
                        + outcome.failure());
    }

    /** Runs every steady-state probe once, recording samples; the first failure's reason. */
    private Optional<String> failedProbe(LiveRun run, String phase) {
        return steadyState.failure(run.owner, run.experiment.spec(), phase, false);
    }

    /** The run was stopped before its rule was written: it goes straight to recovery. */
    private static final class StoppedBeforeWriting extends RuntimeException {
        StoppedBeforeWriting() {
            super(null, null, false, false);
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

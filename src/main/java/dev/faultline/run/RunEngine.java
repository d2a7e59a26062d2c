package dev.faultline.run;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.faultline.DatabaseUnavailableException;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.experiment.SavedExperiment;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.experiment.spec.ExperimentSpec;
import dev.faultline.experiment.spec.FieldError;
import dev.faultline.experiment.spec.Guardrail;
import dev.faultline.experiment.spec.Probe;
import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.FaultPlan;
import dev.faultline.mesh.FaultRequest;
import dev.faultline.mesh.Fence;
import dev.faultline.mesh.Drift;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.OwnedRule;
import dev.faultline.mesh.RuleRef;
import dev.faultline.metrics.Check;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Carries out runs: PRECHECK, INJECTING, OBSERVING, RECOVERING, POSTCHECK. A rule is written only
 * after INJECTING is stored and while this instance still holds the run; once anything may have been
 * written, recovery always runs. Every way a run stops — its end, a guardrail, a user's abort from any
 * instance, the kill switch, the dead man's switch, a takeover — takes the rules out of the mesh first,
 * from what this instance holds in memory, and records afterwards (through {@link RunLifecycle}).
 */
@ApplicationScoped
public class RunEngine {

    private static final Logger LOG = Logger.getLogger(RunEngine.class);
    private static final char[] ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long a rule seen removed waits for an abort or a halt by another instance to be stored before it counts as drift. */
    static final Duration DRIFT_CONFIRMATION = Duration.ofMillis(700);

    private final Map<String, LiveRun> live = new ConcurrentHashMap<>();
    /** One lock per live run, so that an abort and the run's own recovery never remove its rules at once. */
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("run-", 0).factory());
    private final RunStore store;
    private final RunsElsewhere elsewhere;
    private final RunLifecycle lifecycle;
    private final SampleRecorder samples;
    private final FaultInjector injector;
    private final GuardrailMonitor monitor;
    private final MeasurementChecker checker;
    private final RunPolicy policy;
    private final RuleNamespaces namespaces;
    private final RunConfig config;
    private final Instance instance;
    private final Clock clock;
    private final Duration defaultInterval;
    /** A halt this instance could not store yet (the database was away): it holds here until stored. */
    private volatile Run.Halt unstoredHalt;

    RunEngine(RunStore store, RunsElsewhere elsewhere, RunLifecycle lifecycle, SampleRecorder samples, FaultInjector injector, GuardrailMonitor monitor,
            MeasurementChecker checker, RunPolicy policy, RuleNamespaces namespaces, RunConfig config, Instance instance,
            Clock clock, @ConfigProperty(name = "faultline.guardrails.default-interval", defaultValue = "PT1S") Duration defaultInterval) {
        this.store = store;
        this.elsewhere = elsewhere;
        this.lifecycle = lifecycle;
        this.samples = samples;
        this.injector = injector;
        this.monitor = monitor;
        this.checker = checker;
        this.policy = policy;
        this.namespaces = namespaces;
        this.config = config;
        this.instance = instance;
        this.clock = clock;
        this.defaultInterval = defaultInterval;
    }

    /** Starts a run of this revision of an experiment; it proceeds on its own thread. */
    public Run start(SavedExperiment saved, boolean widerBlastRadius, String actor) {
        StoredRun run = new StoredRun();
        run.id = newId();
        run.experiment = saved.experiment().metadata().name();
        run.revision = saved.revision();
        run.document = ExperimentCodec.canonicalJson(saved.experiment());
        run.state = RunState.PENDING;
        run.targetNamespace = saved.experiment().spec().target().namespace();
        run.targetService = saved.experiment().spec().target().serviceName();
        run.widerBlastRadius = widerBlastRadius;
        run.startedBy = actor;
        run.createdAt = clock.instant();
        run.owner = instance.id();
        run.heartbeatAt = run.createdAt;
        try {
            store.create(run);
        } catch (RuntimeException e) {
            throw unavailable(e, "no run was started");
        }
        Run created = store.find(run.id).orElseThrow();
        LiveRun liveRun = new LiveRun(new Ownership(run.id, 1), saved.experiment(), widerBlastRadius, actor);
        live.put(run.id, liveRun);
        executor.execute(() -> {
            try {
                execute(liveRun);
            } catch (RuntimeException | Error e) {
                LOG.errorf(e, "Run %s could not be carried out to its end", liveRun.id);
                liveRun.ended.completeExceptionally(e);
            } finally {
                forget(liveRun);
            }
        });
        return created;
    }

    /** Runs not yet ended on this service, whichever instance carries them out. */
    public List<String> liveOnTarget(String namespace, String service) {
        return store.liveOnTarget(namespace, service, "");
    }

    /** Waits until the run has ended, or {@code timeout} has passed; the run as it is then. */
    public Run await(String runId, Duration timeout) {
        LiveRun liveRun = live.get(runId);
        if (liveRun != null) {
            try {
                Run ended = liveRun.ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (ended != null) {
                    return ended;
                }
            } catch (TimeoutException e) {
                // answer with the run as it is
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                LOG.warnf(e, "Run %s ended with an error", runId);
            }
        } else {
            Instant deadline = clock.instant().plus(timeout);
            while (store.find(runId).map(run -> !run.state().isTerminal()).orElse(false) && clock.instant().isBefore(deadline)) {
                sleep(Duration.ofMillis(100));
            }
        }
        return store.find(runId).orElseThrow(() -> new ResourceNotFoundException("run " + runId + " does not exist"));
    }

    /**
     * Aborts a run, whichever instance carries it out: its rules are out of the mesh before this
     * returns — here from what this instance holds, for another instance's run through
     * {@link RunsElsewhere#abort}.
     */
    public Run abort(String runId, String reason, String actor) {
        String why = "aborted by " + actor + (reason == null || reason.isBlank() ? "" : ": " + reason);
        LiveRun liveRun = live.get(runId);
        if (liveRun != null) {
            abort(liveRun, why);
            try {
                return await(runId, Duration.ofSeconds(30));
            } catch (RuntimeException e) {
                throw unavailable(e, "the rules of run " + runId + " were removed from the mesh; the abort is recorded when it answers");
            }
        }
        return elsewhere.abort(runId, why);
    }

    /** Aborts every live run of this instance without waiting (from the heartbeat, which must stay quick). */
    void abortAllSoon(String reason) {
        for (LiveRun liveRun : live.values()) {
            if (!liveRun.stopped()) {
                Thread.ofVirtual().start(() -> abort(liveRun, reason));
            }
        }
    }

    /** Aborts every live run of this instance; their rules are removed before this returns. */
    void abortAll(String reason) {
        List<Thread> aborts = new ArrayList<>();
        for (LiveRun liveRun : live.values()) {
            aborts.add(Thread.ofVirtual().start(() -> abort(liveRun, reason)));
        }
        for (Thread abort : aborts) {
            try {
                abort.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The dead man's switch: this instance has lost its database, so it no longer knows whether it
     * should still hold faults in the mesh. Every live run stops and its rules come out now; the runs
     * end ABORTED once the database is back.
     */
    void loseControl(Duration unreachableFor) {
        if (live.values().stream().allMatch(LiveRun::stopped)) {
            return;
        }
        String reason = "database unreachable for " + unreachableFor.toSeconds() + " s: rules removed";
        LOG.warnf("Faultline's database has not answered for %d s: removing the rules of %d live runs", unreachableFor.toSeconds(),
                live.size());
        abortAll(reason);
    }

    /**
     * What the database says of this instance's live runs, from a heartbeat that started at
     * {@code beatStartedNanos}: a run it no longer lists under our epoch was taken over (this
     * instance stops acting for it); an abort asked for elsewhere is carried out.
     */
    void reconcileOwnership(List<RunStore.Owned> owned, long beatStartedNanos) {
        Map<String, RunStore.Owned> byId = owned.stream().collect(Collectors.toMap(RunStore.Owned::runId, o -> o));
        for (LiveRun run : live.values()) {
            if (run.registeredNanos - beatStartedNanos > 0) {
                continue; // started after the heartbeat read the database
            }
            RunStore.Owned stored = byId.get(run.id);
            if (stored == null && endedHere(run)) {
                continue; // it has just ended and is about to leave the live runs
            }
            if (stored == null || stored.epoch() != run.owner.epoch()) {
                Thread.ofVirtual().start(() -> fenced(run));
            } else if (stored.abortReason() != null && !run.stopped()) {
                Thread.ofVirtual().start(() -> abort(run, stored.abortReason()));
            }
        }
    }

    private boolean endedHere(LiveRun run) {
        return store.state(run.id).filter(now -> now.state().isTerminal() && now.epoch() == run.owner.epoch()).isPresent();
    }

    /** Another instance holds the run now: take out what this one holds (it is already gone, or about to be) and record nothing. */
    private void fenced(LiveRun run) {
        if (!run.fenced()) {
            LOG.warnf("Run %s was taken over by another instance; this one stops acting for it", run.id);
            run.fence();
            monitor.unwatch(run.id);
            closeWatch(run);
            removeRules(run);
        }
    }

    /**
     * The kill switch's part: every live run here stops, and every Faultline rule in {@code where}
     * is taken out in one pass per namespace, whoever wrote it, without waiting for any run's own
     * removal in progress. What was removed of other instances' runs is recorded as far as the
     * database answers; the runs here record their own.
     */
    FaultInjector.BulkRemoval haltAll(String reason, List<String> where) {
        Instant at = clock.instant();
        List<FaultInjector.Removed> removed = new ArrayList<>();
        List<FaultInjector.Removed> others = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (LiveRun run : live.values()) {
            if (run.stop(LiveRun.Stop.abort(reason, at))) {
                monitor.unwatch(run.id);
            }
            closeWatch(run);
        }
        for (String namespace : where) {
            try {
                FaultInjector.BulkRemoval bulk = injector.removeAll(namespace);
                removed.addAll(bulk.removed());
                problems.addAll(bulk.problems());
            } catch (MeshException e) {
                problems.add(namespace + ": " + e.getMessage());
            }
        }
        for (FaultInjector.Removed gone : removed) {
            LiveRun run = live.get(gone.rule().runId());
            if (run == null) {
                others.add(gone);
            } else if (run.rules.removeIf(rule -> rule.route().equals(gone.rule().route()))) {
                run.removals.add(new LiveRun.Removal(gone.rule(), gone.at(), gone.rule().route() + " removed from "
                        + gone.rule().namespace() + "/" + gone.rule().resource() + " by the kill switch", false));
            }
        }
        for (LiveRun run : live.values()) {
            if (!run.rules.isEmpty()) {
                removeRules(run); // outside these namespaces, or not removed in bulk
            }
        }
        try {
            if (!others.isEmpty()) {
                store.halted(others);
            }
        } catch (RuntimeException e) {
            if (!DatabaseUnavailableException.isCause(e)) {
                throw e;
            }
            problems.add("the database does not answer: the removal of " + others.size() + " rules of other instances' runs is not recorded");
        }
        return new FaultInjector.BulkRemoval(removed, problems);
    }

    /**
     * Tries again, from memory and without the database, to remove the rules that stopped runs still
     * hold because their removal failed (the API server was away longer than the removal retried).
     */
    void retryRemovals() {
        for (LiveRun run : live.values()) {
            if ((run.stopped() || run.recovering || run.fenced()) && !run.rules.isEmpty()) {
                removeRules(run);
            }
        }
    }

    /** A halt this instance holds although the database does not know it yet, or null. */
    Run.Halt unstoredHalt() {
        return unstoredHalt;
    }

    void unstoredHalt(Run.Halt halt) {
        unstoredHalt = halt;
    }

    boolean isLiveHere(String runId) {
        return live.containsKey(runId);
    }

    int liveCount() {
        return live.size();
    }

    /** Takes the run's rules out first, from what it knows in memory; its own thread records afterwards. */
    private void abort(LiveRun run, String reason) {
        if (run.stop(LiveRun.Stop.abort(reason, clock.instant()))) {
            monitor.unwatch(run.id);
            closeWatch(run);
            removeRules(run);
        }
    }

    private void execute(LiveRun run) {
        Ownership owner = run.owner;
        ExperimentSpec spec = run.experiment.spec();
        boolean mayHaveWritten = false;
        boolean recorded = false;
        String failure = null;
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
            lifecycle.publish(new RunEvent(run.id, run.experiment.metadata().name(), RunEvent.Type.STARTED, RunState.INJECTING, null,
                    run.startedBy, clock.instant()));
            Instant started = clock.instant();
            List<ExperimentSpec.RampStep> ramp = spec.rampUp();
            namespaces.written(spec.target().namespace());
            RuleRef rule = injector.apply(request(run, ramp.isEmpty() ? null : ramp.get(0).percentage()), fence(run));
            run.rules.add(rule);
            if (run.stopped()) {
                removeRules(run); // stopped while the rule was being written: its stopper may have found nothing to remove
            }
            run.watch = injector.watch(rule, drift -> drifted(run, drift));
            lifecycle.durably("the rule of run " + run.id, () -> store.ruleApplied(owner, rule));
            recorded = true;
            lifecycle.durably("the rule of run " + run.id, () -> store.event(owner, TimelineKind.RULE_APPLIED,
                    rule.route() + " in " + rule.kind() + " " + rule.namespace() + "/" + rule.resource(), rule.appliedAt()));
            if (!run.stopped()) {
                monitor.watch(run.id, watches(run));
                lifecycle.move(owner, RunState.OBSERVING, "faults are live; watching " + spec.guardrails().size() + " guardrails",
                        clock.instant());
                observe(run, rule, started);
            }
        } catch (FencedException e) {
            fenced(run);
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
            }
        }
        if (run.fenced()) {
            return;
        }
        try {
            recordRemovals(run);
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
            } else if (failure != null) {
                run.ended.complete(lifecycle.end(owner, RunState.FAILED, failure));
            } else {
                run.ended.complete(postcheck(run));
            }
        } catch (FencedException e) {
            fenced(run);
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
        closeWatch(run);
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
                fenced(run);
            }
        });
        removeRules(run);
        if (!recorded) {
            removeUnrecorded(run);
        }
        join(recording);
        if (run.fenced()) {
            return;
        }
        try {
            recordRemovals(run);
        } catch (FencedException e) {
            fenced(run);
        }
    }

    private void recordRemovals(LiveRun run) {
        for (LiveRun.Removal removal; (removal = run.removals.poll()) != null;) {
            LiveRun.Removal r = removal;
            if (r.failed()) {
                lifecycle.durably("a failed removal of run " + run.id, () -> store.needsCleanup(run.owner, true, r.message(), r.at()));
            } else {
                lifecycle.durably("a removal of run " + run.id, () -> store.ruleRemoved(run.owner, r.rule(), r.at(), r.message()));
            }
        }
    }

    private Optional<String> precheck(LiveRun run) {
        ExperimentSpec spec = run.experiment.spec();
        Run.Halt halt = unstoredHalt != null ? unstoredHalt : store.halt();
        if (halt.halted()) {
            return Optional.of("Faultline is halted" + (halt.reason() == null ? "" : " (" + halt.reason() + ")") + "; re-arm it first");
        }
        List<FieldError> violations = policy.violations(spec);
        if (!violations.isEmpty()) {
            return Optional.of("the policy forbids this run: " + violations.stream().map(v -> v.path() + ": " + v.message()).toList());
        }
        List<String> others = store.liveOnTarget(spec.target().namespace(), spec.target().serviceName(), run.id);
        if (!others.isEmpty()) {
            return Optional.of("run " + others.get(0) + " is already live on " + spec.target().service() + " in " + spec.target().namespace());
        }
        try {
            FaultPlan plan = injector.plan(request(run, null));
            if (plan.needsConsent() && !run.widerBlastRadius) {
                return Optional.of(String.join("; ", plan.warnings().stream().filter(w -> w.contains("consent")).toList()));
            }
        } catch (MeshException e) {
            return Optional.of(e.getMessage());
        }
        return failedProbe(run, "PRECHECK").map(reason -> "the steady state does not hold before injection: " + reason);
    }

    private void observe(LiveRun run, RuleRef rule, Instant started) throws InterruptedException {
        ExperimentSpec spec = run.experiment.spec();
        Instant end = started.plus(spec.duration());
        for (int i = 0; i < spec.rampUp().size() && !run.stopped(); i++) {
            ExperimentSpec.RampStep step = spec.rampUp().get(i);
            if (i > 0) {
                FaultRequest capped = request(run, step.percentage());
                injector.adjust(rule, capped.delayPercentage(), capped.abortPercentage(), fence(run));
                lifecycle.durably("a ramp step of run " + run.id,
                        () -> store.event(run.owner, TimelineKind.RAMP, "faults at " + step.percentage() + "%", clock.instant()));
            }
            Instant stepEnd = minimum(clock.instant().plus(step.hold()), end);
            if (run.awaitStop(Duration.between(clock.instant(), stepEnd).toMillis())) {
                return;
            }
        }
        if (!spec.rampUp().isEmpty() && !run.stopped()) {
            FaultRequest full = request(run, null);
            injector.adjust(rule, full.delayPercentage(), full.abortPercentage(), fence(run));
            lifecycle.durably("a ramp step of run " + run.id,
                    () -> store.event(run.owner, TimelineKind.RAMP, "faults at their full percentage", clock.instant()));
        }
        run.awaitStop(Duration.between(clock.instant(), end).toMillis());
    }

    /** The run as it ended, or null when another instance took it over meanwhile. */
    private Run postcheck(LiveRun run) {
        lifecycle.move(run.owner, RunState.POSTCHECK, "rules removed; checking the steady state after "
                + config.settleTime().toSeconds() + " s", clock.instant());
        try {
            run.awaitStop(config.settleTime().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (run.fenced()) {
            return null;
        }
        if (run.stopped()) {
            return lifecycle.end(run.owner, RunState.ABORTED, run.stopReason().reason());
        }
        Optional<String> failed = failedProbe(run, "POSTCHECK");
        return failed.isPresent() ? lifecycle.end(run.owner, RunState.DEVIATED, "the steady state did not come back: " + failed.get())
                : lifecycle.end(run.owner, RunState.COMPLETED, "the steady state held");
    }

    /** Runs every steady-state probe once, recording samples; the first failure's reason. */
    private Optional<String> failedProbe(LiveRun run, String phase) {
        ExperimentSpec spec = run.experiment.spec();
        if (spec.steadyState() == null) {
            return Optional.empty();
        }
        String firstFailure = null;
        List<Probe> probes = spec.steadyState().probes();
        for (int i = 0; i < probes.size(); i++) {
            Probe probe = probes.get(i);
            Check check = checker.check(probe.measurement(), probe.tolerance(), spec.target().namespace());
            samples.record(run.owner, "spec.steadyState.probes[" + i + "]", phase, clock.instant(), check.value(), check.passed(),
                    MeasurementChecker.threshold(probe.tolerance()), check.reason());
            if (!check.passed() && firstFailure == null) {
                firstFailure = probe.name() + ": " + check.reason();
            }
        }
        return Optional.ofNullable(firstFailure);
    }

    private List<GuardrailMonitor.Watch> watches(LiveRun run) {
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
            public void breached(GuardrailMonitor.Watch watch, Check check, Instant at) {
                abort(run, "guardrail \"" + watch.guardrail.name() + "\" breached: " + check.reason()
                        + (watch.guardrail.effectiveFailureThreshold() > 1
                                ? " (" + watch.guardrail.effectiveFailureThreshold() + " failed checks in a row)"
                                : ""));
            }
        };
        for (int i = 0; i < spec.guardrails().size(); i++) {
            Guardrail guardrail = spec.guardrails().get(i);
            Duration interval = guardrail.interval() != null ? guardrail.interval() : defaultInterval;
            watches.add(new GuardrailMonitor.Watch(run.id, "spec.guardrails[" + i + "]", guardrail,
                    Measurements.promql(guardrail.measurement(), spec.target().namespace()).orElse(null), spec.target().namespace(),
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

    /** Before a rule is written or changed: this instance must still hold the run, as the database says now. */
    private Fence fence(LiveRun run) {
        return () -> {
            boolean holds;
            try {
                holds = !run.fenced() && store.holds(run.owner);
            } catch (RuntimeException e) {
                if (!DatabaseUnavailableException.isCause(e)) {
                    throw e;
                }
                throw new MeshException(MeshException.Reason.UNAVAILABLE,
                        "Faultline's database does not answer, and no fault is written without it", e);
            }
            if (!holds) {
                run.fence();
                throw new MeshException(MeshException.Reason.REFUSED, "run " + run.id + " was taken over by another instance");
            }
            if (run.stopped()) {
                throw new MeshException(MeshException.Reason.REFUSED, "run " + run.id + " is stopping: " + run.stopReason().reason());
            }
        };
    }

    /**
     * The run's rule went missing, and not by this instance. An abort or a halt from another instance
     * removes rules too, and is stored right before or after: wait a moment for it, and stop the run
     * for what it was. Otherwise someone else removed the fault: the run fails, and Faultline does not
     * write the rule back.
     */
    private void drifted(LiveRun run, Drift drift) {
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
                abort(run, byFaultline.get());
                return;
            }
            LOG.warnf("Run %s: %s", run.id, drift.change());
            if (run.stop(LiveRun.Stop.drift("the fault was removed by someone else at "
                    + drift.at().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " (" + drift.change()
                    + "); results after that are not the fault's", drift.at()))) {
                monitor.unwatch(run.id);
                closeWatch(run);
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

    private static void closeWatch(LiveRun run) {
        FaultInjector.RuleWatch watch = run.watch;
        if (watch != null) {
            run.watch = null;
            try {
                watch.close();
            } catch (RuntimeException e) {
                LOG.debugf(e, "Closing the watch on run %s's rule failed", run.id);
            }
        }
    }

    /**
     * Removes every rule the run holds in memory, keeping what happened for its thread to record.
     * Under the run's lock, so an abort, the kill switch and the run's own recovery never remove at
     * once, and whichever comes second finds nothing left to remove.
     */
    private void removeRules(LiveRun run) {
        ReentrantLock lock = lockFor(run.id);
        lock.lock();
        try {
            for (RuleRef rule : List.copyOf(run.rules)) {
                try {
                    FaultInjector.Removal removal = injector.remove(rule);
                    Instant at = clock.instant();
                    run.rules.remove(rule);
                    run.removals.add(new LiveRun.Removal(rule, at, rule.route() + (removal == FaultInjector.Removal.ALREADY_GONE
                            ? " was already gone" : " removed from " + rule.namespace() + "/" + rule.resource()), false));
                } catch (RuntimeException e) {
                    LOG.warnf("Could not remove rule %s of run %s: %s", rule.route(), run.id, e.getMessage());
                    run.removals.add(new LiveRun.Removal(rule, clock.instant(), e.getMessage() + "; the reconciler keeps trying", true));
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** The run was stopped before its rule was written: it goes straight to recovery. */
    private static final class StoppedBeforeWriting extends RuntimeException {
        StoppedBeforeWriting() {
            super(null, null, false, false);
        }
    }

    /**
     * An apply that failed may still have written its rule (the API server took it, its answer was
     * lost), and then this instance does not know it: look for the run's rule by its annotations.
     */
    private void removeUnrecorded(LiveRun run) {
        String namespace = run.experiment.spec().target().namespace();
        try {
            for (OwnedRule owned : injector.owned(namespace)) {
                if (owned.rule().runId().equals(run.id)) {
                    injector.remove(owned.rule());
                    run.removals.add(new LiveRun.Removal(owned.rule(), clock.instant(), owned.rule().route()
                            + ", written by the apply that failed, removed from " + namespace + "/" + owned.rule().resource(), false));
                }
            }
        } catch (MeshException e) {
            run.removals.add(new LiveRun.Removal(null, clock.instant(), "could not make sure the failed apply left nothing behind: "
                    + e.getMessage() + "; the reconciler keeps looking", true));
        }
    }

    private ReentrantLock lockFor(String runId) {
        return locks.computeIfAbsent(runId, id -> new ReentrantLock());
    }

    private void forget(LiveRun run) {
        closeWatch(run);
        live.remove(run.id);
        locks.remove(run.id);
        if (!run.ended.isDone()) {
            run.ended.complete(null);
        }
    }

    private FaultRequest request(LiveRun run, Double rampPercentage) {
        FaultRequest full = FaultRequest.of(run.id, run.owner.epoch(), run.experiment.spec(), clock.instant(), run.widerBlastRadius);
        return rampPercentage == null ? full : full.cappedAt(rampPercentage);
    }

    private static RuntimeException unavailable(RuntimeException e, String what) {
        return DatabaseUnavailableException.isCause(e) ? new DatabaseUnavailableException("Faultline's database does not answer; " + what, e) : e;
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Instant minimum(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static String newId() {
        char[] id = new char[12];
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_ALPHABET[RANDOM.nextInt(ID_ALPHABET.length)];
        }
        return new String(id);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * On shutdown, while the database and the Kubernetes client are still open: every live run is
     * aborted (its rules removed) and allowed a few seconds to record its end.
     */
    void shutdown(@Observes ShutdownEvent event) {
        abortAll("Faultline is shutting down");
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.faultline.run;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.faultline.ResourceConflictException;
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
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.OwnedRule;
import dev.faultline.mesh.RuleRef;
import dev.faultline.metrics.Check;
import dev.faultline.security.NamespacePolicy;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Carries out runs: PRECHECK, INJECTING, OBSERVING, RECOVERING, POSTCHECK, each transition stored
 * before the engine acts on it. Once anything may have been written, RECOVERING always runs. An
 * abort — by a guardrail, a user or the kill switch — removes the rules on the thread that asked for
 * it, then lets the run finish recovering.
 */
@ApplicationScoped
public class RunEngine {

    private static final Logger LOG = Logger.getLogger(RunEngine.class);
    private static final char[] ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, LiveRun> live = new ConcurrentHashMap<>();
    /** One lock per live run, so that an abort and the run's own recovery never remove its rules at once. */
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("run-", 0).factory());
    private final RunStore store;
    private final SampleRecorder samples;
    private final FaultInjector injector;
    private final GuardrailMonitor monitor;
    private final MeasurementChecker checker;
    private final NamespacePolicy policy;
    private final Event<RunEvent> events;
    private final RunConfig config;
    private final Instance instance;
    private final Clock clock;
    private final Duration defaultInterval;

    RunEngine(RunStore store, SampleRecorder samples, FaultInjector injector, GuardrailMonitor monitor,
            MeasurementChecker checker, NamespacePolicy policy, Event<RunEvent> events, RunConfig config, Instance instance,
            Clock clock, @ConfigProperty(name = "faultline.guardrails.default-interval", defaultValue = "PT1S") Duration defaultInterval) {
        this.defaultInterval = defaultInterval;
        this.store = store;
        this.samples = samples;
        this.injector = injector;
        this.monitor = monitor;
        this.checker = checker;
        this.policy = policy;
        this.events = events;
        this.config = config;
        this.instance = instance;
        this.clock = clock;
    }

    /** Starts a run of this revision of an experiment; it proceeds on its own thread. */
    public Run start(SavedExperiment saved, boolean widerBlastRadius, String actor) {
        String experimentName = saved.experiment().metadata().name();
        StoredRun run = new StoredRun();
        run.id = newId();
        run.experiment = experimentName;
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
        store.create(run);
        store.event(run.id, RunState.PENDING.name(), "started by " + actor + " (revision " + saved.revision() + ")");
        LiveRun liveRun = new LiveRun(run.id, saved.experiment(), widerBlastRadius, actor);
        live.put(run.id, liveRun);
        executor.execute(() -> {
            try {
                execute(liveRun);
            } catch (RuntimeException | Error e) {
                LOG.errorf(e, "Run %s could not be carried out to its end", liveRun.id);
                live.remove(liveRun.id);
                liveRun.ended.completeExceptionally(e);
            }
        });
        return store.find(run.id).orElseThrow();
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
                return liveRun.ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
                sleep(Duration.ofMillis(200));
            }
        }
        return store.find(runId).orElseThrow(() -> new ResourceNotFoundException("run " + runId + " does not exist"));
    }

    /** Aborts a live run: its rules are removed before this returns. */
    public Run abort(String runId, String reason, String actor) {
        Run run = store.find(runId).orElseThrow(() -> new ResourceNotFoundException("run " + runId + " does not exist"));
        if (run.state().isTerminal()) {
            throw new ResourceConflictException("run " + runId + " has already ended " + run.state());
        }
        LiveRun liveRun = live.get(runId);
        if (liveRun == null) {
            throw new ResourceConflictException("run " + runId + " is carried out by another Faultline instance; "
                    + "press the kill switch (POST /api/v1/halt) to stop every run everywhere");
        }
        abort(liveRun, "aborted by " + actor + (reason == null || reason.isBlank() ? "" : ": " + reason));
        return await(runId, Duration.ofSeconds(30));
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
     * The kill switch's part: every live run here is aborted and every Faultline rule in
     * {@code namespaces} taken out in one pass per namespace, whoever wrote it. The runs' locks are
     * held meanwhile, so that their own recovery finds their rules already recorded as removed.
     */
    FaultInjector.BulkRemoval haltAll(String reason, List<String> namespaces) {
        Instant at = clock.instant();
        List<LiveRun> aborted = new ArrayList<>();
        List<ReentrantLock> held = new ArrayList<>();
        List<FaultInjector.Removed> removed = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try {
            for (LiveRun run : live.values()) {
                ReentrantLock lock = lockFor(run.id);
                lock.lock();
                held.add(lock);
                if (run.abort(reason)) {
                    monitor.unwatch(run.id);
                    aborted.add(run);
                }
            }
            for (String namespace : namespaces) {
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
                if (run != null) {
                    run.rules.removeIf(rule -> rule.route().equals(gone.rule().route()));
                }
            }
            store.halted(aborted.stream().map(run -> run.id).toList(), reason, at, removed);
        } finally {
            held.forEach(ReentrantLock::unlock);
        }
        for (LiveRun run : aborted) {
            if (!run.rules.isEmpty()) {
                removeRules(run.id, run, false); // outside these namespaces, or not removed in bulk
            }
        }
        return new FaultInjector.BulkRemoval(removed, problems);
    }

    boolean isLiveHere(String runId) {
        return live.containsKey(runId);
    }

    int liveCount() {
        return live.size();
    }

    /** Takes the run's rules out first, from what it knows in memory, and records afterwards: every millisecond counts. */
    private void abort(LiveRun liveRun, String reason) {
        if (liveRun.abort(reason)) {
            Instant at = clock.instant();
            monitor.unwatch(liveRun.id);
            removeRules(liveRun.id, liveRun, false);
            store.event(liveRun.id, "ABORT", reason, at);
        }
    }

    private void execute(LiveRun run) {
        ExperimentSpec spec = run.experiment.spec();
        boolean mayHaveWritten = false;
        boolean recorded = false;
        String failure = null;
        try {
            store.transition(run.id, RunState.PRECHECK, "checking policy, target and steady state");
            Optional<String> refusal = precheck(run);
            if (refusal.isPresent() || run.aborted()) {
                finish(run, RunState.CANCELLED, refusal.orElse(run.abortReason()));
                return;
            }
            store.transition(run.id, RunState.INJECTING, "writing the fault rules");
            mayHaveWritten = true;
            publish(run, RunEvent.Type.STARTED, RunState.INJECTING, null);
            Instant started = clock.instant();
            List<ExperimentSpec.RampStep> ramp = spec.rampUp();
            RuleRef rule = injector.apply(request(run, ramp.isEmpty() ? null : ramp.get(0).percentage()));
            run.rules.add(rule);
            store.ruleApplied(run.id, rule);
            recorded = true;
            store.event(run.id, "RULE_APPLIED", rule.route() + " in " + rule.kind() + " " + rule.namespace() + "/" + rule.resource());
            if (!run.aborted()) {
                monitor.watch(run.id, watches(run));
                store.transition(run.id, RunState.OBSERVING, "faults are live; watching " + spec.guardrails().size() + " guardrails");
                observe(run, rule, started);
            }
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
                store.transition(run.id, RunState.RECOVERING, run.aborted() ? run.abortReason()
                        : failure != null ? "removing the rules after: " + failure : "duration reached; removing the rules");
                removeRules(run.id, run, true);
                if (!recorded) {
                    removeUnrecorded(run);
                }
            }
        }
        if (run.aborted()) {
            finish(run, RunState.ABORTED, run.abortReason());
        } else if (failure != null) {
            finish(run, RunState.FAILED, failure);
        } else {
            postcheck(run);
        }
    }

    private Optional<String> precheck(LiveRun run) {
        ExperimentSpec spec = run.experiment.spec();
        var halt = store.halt();
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
        for (int i = 0; i < spec.rampUp().size() && !run.aborted(); i++) {
            ExperimentSpec.RampStep step = spec.rampUp().get(i);
            if (i > 0) {
                FaultRequest capped = request(run, step.percentage());
                injector.adjust(rule, capped.delayPercentage(), capped.abortPercentage());
                store.event(run.id, "RAMP", "faults at " + step.percentage() + "%");
            }
            Instant stepEnd = minimum(clock.instant().plus(step.hold()), end);
            if (run.awaitAbort(Duration.between(clock.instant(), stepEnd).toMillis())) {
                return;
            }
        }
        if (!spec.rampUp().isEmpty() && !run.aborted()) {
            FaultRequest full = request(run, null);
            injector.adjust(rule, full.delayPercentage(), full.abortPercentage());
            store.event(run.id, "RAMP", "faults at their full percentage");
        }
        run.awaitAbort(Duration.between(clock.instant(), end).toMillis());
    }

    private void postcheck(LiveRun run) {
        store.transition(run.id, RunState.POSTCHECK, "rules removed; checking the steady state after "
                + config.settleTime().toSeconds() + " s");
        sleep(config.settleTime());
        Optional<String> failed = failedProbe(run, "POSTCHECK");
        if (failed.isPresent()) {
            finish(run, RunState.DEVIATED, "the steady state did not come back: " + failed.get());
        } else {
            finish(run, RunState.COMPLETED, "the steady state held");
        }
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
            samples.record(run.id, "spec.steadyState.probes[" + i + "]", phase, clock.instant(), check.value(), check.passed(),
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
                samples.record(run.id, watch.path, "OBSERVING", at, check.value(), check.passed(),
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

    /** Removes every rule the run still has, as the database knows them (for runs no longer live here). */
    void removeRules(String runId) {
        removeRules(runId, null, true);
    }

    /**
     * Removes the run's rules — those this instance knows of in memory, and with {@code fromStore}
     * also those the database knows — each recorded with the moment the API server acknowledged its
     * removal. A rule that cannot be removed marks the run for cleanup by the reconciler. Under the
     * run's lock, so an abort, the kill switch and the run's own recovery never remove at once, and
     * whichever comes second finds what the first recorded.
     */
    private void removeRules(String runId, LiveRun liveRun, boolean fromStore) {
        ReentrantLock lock = lockFor(runId);
        lock.lock();
        try {
            List<RuleRef> inMemory = liveRun != null ? List.copyOf(liveRun.rules) : List.of();
            List<RuleRef> rules = fromStore ? union(store.liveRules(runId), inMemory) : inMemory;
            for (RuleRef rule : rules) {
                try {
                    FaultInjector.Removal removal = injector.remove(rule);
                    Instant at = clock.instant();
                    if (liveRun != null) {
                        liveRun.rules.removeIf(known -> known.route().equals(rule.route()));
                    }
                    store.ruleRemoved(runId, rule.route(), at, rule.route() + (removal == FaultInjector.Removal.ALREADY_GONE
                            ? " was already gone" : " removed from " + rule.namespace() + "/" + rule.resource()));
                } catch (RuntimeException e) {
                    LOG.warnf("Could not remove rule %s of run %s: %s", rule.route(), runId, e.getMessage());
                    store.needsCleanup(runId, true);
                    store.event(runId, "CLEANUP_NEEDED", e.getMessage() + "; the reconciler keeps trying");
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private static List<RuleRef> union(List<RuleRef> stored, List<RuleRef> known) {
        List<RuleRef> rules = new ArrayList<>(stored);
        for (RuleRef rule : known) {
            if (rules.stream().noneMatch(r -> r.route().equals(rule.route()))) {
                rules.add(rule);
            }
        }
        return rules;
    }

    /**
     * An apply that failed may still have written its rule (the API server took it, its answer was
     * lost), and then the database does not know it: look for the run's rule by its annotations.
     */
    private void removeUnrecorded(LiveRun run) {
        String namespace = run.experiment.spec().target().namespace();
        try {
            for (OwnedRule owned : injector.owned(namespace)) {
                if (owned.rule().runId().equals(run.id)) {
                    store.ruleApplied(run.id, owned.rule());
                    injector.remove(owned.rule());
                    store.ruleRemoved(run.id, owned.rule().route(), clock.instant(), owned.rule().route()
                            + ", written by the apply that failed, removed from " + namespace + "/" + owned.rule().resource());
                }
            }
        } catch (MeshException e) {
            store.needsCleanup(run.id, true);
            store.event(run.id, "CLEANUP_NEEDED", "could not make sure the failed apply left nothing behind: " + e.getMessage()
                    + "; the reconciler keeps looking");
        }
    }

    private ReentrantLock lockFor(String runId) {
        return locks.computeIfAbsent(runId, id -> new ReentrantLock());
    }

    private void finish(LiveRun run, RunState verdict, String reason) {
        samples.flush(Duration.ofSeconds(5));
        store.transition(run.id, verdict, reason);
        live.remove(run.id);
        locks.remove(run.id);
        Run ended = store.find(run.id).orElseThrow();
        run.ended.complete(ended);
        publish(run, RunEvent.Type.valueOf(verdict.name()), verdict, reason);
        LOG.infof("Run %s of %s ended %s: %s", run.id, run.experiment.metadata().name(), verdict, reason);
    }

    private void publish(LiveRun run, RunEvent.Type type, RunState state, String reason) {
        try {
            events.fireAsync(new RunEvent(run.id, run.experiment.metadata().name(), type, state, reason, run.startedBy, clock.instant()))
                    .exceptionally(failure -> {
                        LOG.warnf(failure, "An observer of run %s failed", run.id);
                        return null;
                    });
        } catch (RuntimeException e) {
            LOG.warnf(e, "Could not publish %s of run %s", type, run.id);
        }
    }

    private FaultRequest request(LiveRun run, Double rampPercentage) {
        FaultRequest full = FaultRequest.of(run.id, 1, run.experiment.spec(), clock.instant(), run.widerBlastRadius);
        return rampPercentage == null ? full : full.cappedAt(rampPercentage);
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

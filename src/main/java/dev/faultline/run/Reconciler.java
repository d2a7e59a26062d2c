package dev.faultline.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import dev.faultline.DatabaseUnavailableException;
import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.OwnedRule;
import dev.faultline.mesh.RuleRef;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Makes sure no fault outlives its run. At start-up — before the application reports ready — it
 * ends the runs this instance owned before it stopped ("orchestrator restarted") and removes their
 * rules; then, and every few seconds, it removes every Faultline rule, wherever rules can be, whose
 * expiry has passed (without asking the database), whose run has ended or is unknown, or that a
 * former owner wrote. It keeps this instance's runs beating, takes over runs whose owner stopped
 * beating ("owner lost"), and pulls the dead man's switch when the database stays away.
 */
@ApplicationScoped
@Readiness
public class Reconciler implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    static final String RESTARTED = "orchestrator restarted";
    static final String OWNER_LOST = "owner lost";

    private final RunStore store;
    private final RunLifecycle lifecycle;
    private final LiveRuns live;
    private final RunsElsewhere elsewhere;
    private final HaltService halt;
    private final FaultInjector injector;
    private final RuleNamespaces namespaces;
    private final DatabaseContact database;
    private final Instance instance;
    private final RunConfig config;
    private final Clock clock;
    private final RunMetrics metrics;
    private volatile boolean startedClean;
    private volatile String lastProblem;

    Reconciler(RunStore store, RunLifecycle lifecycle, LiveRuns live, RunsElsewhere elsewhere, HaltService halt, FaultInjector injector, RuleNamespaces namespaces,
            DatabaseContact database, Instance instance, RunConfig config, Clock clock, RunMetrics metrics) {
        this.store = store;
        this.lifecycle = lifecycle;
        this.live = live;
        this.elsewhere = elsewhere;
        this.halt = halt;
        this.injector = injector;
        this.namespaces = namespaces;
        this.database = database;
        this.instance = instance;
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
    }

    void onStart(@Observes StartupEvent start) {
        for (Ownership leftover : store.liveRunsOwnedBy(instance.id())) {
            elsewhere.endLeftover(leftover, RESTARTED);
        }
        startedClean = sweep();
    }

    /**
     * Every instance beats for its own live runs, learns from the answer which of them were taken
     * over or asked to abort, and takes over runs whose owner stopped beating — but only once its own
     * database has answered for a whole owner timeout, so that after an outage every owner has had
     * the time to beat again. It runs on the simple scheduler, on every instance — not on Quartz,
     * which would pick one.
     */
    @Scheduled(every = "${faultline.run.heartbeat-interval:PT2S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            delayed = "${faultline.run.heartbeat-interval:PT2S}", executeWith = Scheduled.SIMPLE)
    void beat() {
        long started = System.nanoTime();
        List<RunStore.Owned> owned;
        try {
            owned = store.heartbeat(instance.id());
            database.reached();
        } catch (RuntimeException e) {
            if (!DatabaseUnavailableException.isCause(e)) {
                throw e;
            }
            database.failed();
            LOG.debugf("Heartbeat failed, the database does not answer: %s", e.getMessage());
            return;
        }
        // what follows hands its slow parts (removals, endings) to threads of their own: the next beat must not wait for them
        live.reconcileOwnership(owned, started);
        Instant lostTrack = clock.instant().minus(Duration.ofMinutes(1));
        for (RunStore.Owned run : owned) {
            if (!live.isLiveHere(run.runId()) && run.createdAt().isBefore(lostTrack)) {
                Thread.ofVirtual().start(() -> elsewhere.endLeftover(new Ownership(run.runId(), run.epoch()),
                        "ended by the reconciler: this instance no longer carried it out"));
            }
        }
        halt.storePending();
        Run.Halt halted = halt.seen(store.halt());
        if (halted.halted() && live.liveCount() > 0) {
            live.abortAllSoon("halted by " + halted.changedBy() + (halted.reason() == null ? "" : ": " + halted.reason()));
        }
        if (database.reachableFor().compareTo(config.ownerTimeout()) < 0) {
            return;
        }
        Instant stale = clock.instant().minus(config.ownerTimeout());
        for (String runId : store.orphanedRuns(instance.id(), stale)) {
            Optional<RunStore.Facts> before = store.facts(runId);
            store.claimOrphan(runId, instance.id(), stale).ifPresent(claimed -> Thread.ofVirtual().start(() -> {
                try {
                    before.ifPresent(lost -> lifecycle.durably("the takeover of run " + runId, () -> store.event(claimed,
                            TimelineKind.TAKEN_OVER, "taken over by " + instance.id() + ": its owner " + lost.owner()
                                    + " has not beaten since " + lost.heartbeatAt(), clock.instant())));
                    elsewhere.endLeftover(claimed, OWNER_LOST);
                } catch (RuntimeException e) {
                    LOG.warnf(e, "Could not end run %s, taken over from its lost owner; the next beat tries again", runId);
                }
            }));
        }
    }

    /** The dead man's switch: checked every second, on nothing but this instance's own memory. */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, executeWith = Scheduled.SIMPLE)
    void deadMansSwitch() {
        Duration away = database.unreachableFor();
        if (away.compareTo(config.databaseGrace()) >= 0 && live.liveCount() > 0) {
            live.loseControl(away);
        }
    }

    @Scheduled(every = "${faultline.run.reconcile-interval:PT5S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            delayed = "${faultline.run.reconcile-interval:PT5S}", executeWith = Scheduled.SIMPLE)
    void periodically() {
        live.retryRemovals();
        boolean clean = sweep();
        startedClean = startedClean || clean;
    }

    /** One pass over every namespace rules can be in; true when each could be read and every rule due could be removed. */
    boolean sweep() {
        boolean clean = true;
        Instant now = clock.instant();
        boolean[] databaseAway = { false };
        boolean apiAnswered = true;
        Map<String, Integer> notRemoved = new HashMap<>();
        for (String namespace : namespaces.all()) {
            List<OwnedRule> owned;
            try {
                owned = injector.owned(namespace);
            } catch (MeshException e) {
                lastProblem = e.getMessage();
                LOG.warnf("Could not look for rules left behind in %s: %s", namespace, e.getMessage());
                clean = false;
                apiAnswered &= e.reason() != MeshException.Reason.UNAVAILABLE;
                continue;
            }
            int left = 0;
            for (OwnedRule rule : owned) {
                Optional<String> why = whyRemove(rule, now, databaseAway);
                if (why.isPresent() && !remove(rule.rule(), why.get(), databaseAway)) {
                    clean = false;
                    left++;
                }
            }
            notRemoved.put(namespace, left);
        }
        if (clean) {
            lastProblem = null;
        }
        metrics.swept(apiAnswered, notRemoved); // never throws
        return clean;
    }

    /** Why the rule must go; the expiry is decided first and alone, and once the database failed in this pass it is not asked again. */
    private Optional<String> whyRemove(OwnedRule rule, Instant now, boolean[] databaseAway) {
        String runId = rule.rule().runId();
        if (rule.expiresAt() != null && rule.expiresAt().isBefore(now)) {
            return Optional.of("it expired at " + rule.expiresAt());
        }
        if (live.isLiveHere(runId) || databaseAway[0]) {
            return Optional.empty();
        }
        Optional<RunStore.StateAndEpoch> run;
        try {
            run = store.state(runId);
        } catch (RuntimeException e) {
            if (DatabaseUnavailableException.isCause(e)) {
                databaseAway[0] = true;
                return Optional.empty();
            }
            throw e;
        }
        if (run.isEmpty()) {
            return Optional.of("its run " + runId + " is unknown");
        }
        if (run.get().state().isTerminal()) {
            return Optional.of("its run " + runId + " has ended " + run.get().state());
        }
        if (rule.epoch() > 0 && rule.epoch() < run.get().epoch()) {
            return Optional.of("it was written by a former owner of run " + runId + " (epoch " + rule.epoch() + ", now "
                    + run.get().epoch() + ")");
        }
        return Optional.empty();
    }

    private boolean remove(RuleRef rule, String why, boolean[] databaseAway) {
        try {
            injector.remove(rule);
        } catch (MeshException e) {
            lastProblem = e.getMessage();
            LOG.warnf("Could not remove rule %s left behind (%s): %s", rule.route(), why, e.getMessage());
            return false;
        }
        metrics.sweptAway(); // never throws
        Instant at = clock.instant();
        LOG.warnf("Removed rule %s from %s/%s left behind: %s", rule.route(), rule.namespace(), rule.resource(), why);
        if (!databaseAway[0]) {
            try {
                if (store.state(rule.runId()).isPresent()) {
                    store.ruleRemoved(null, rule, at, rule.route() + " removed by the reconciler: " + why);
                    store.cleanedUp(rule.runId());
                }
            } catch (RuntimeException e) {
                databaseAway[0] = DatabaseUnavailableException.isCause(e);
                LOG.warnf("Removed rule %s, but could not record it: %s", rule.route(), e.getMessage());
            }
        }
        return true;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("fault rules reconciled").status(startedClean);
        if (lastProblem != null) {
            response.withData("problem", lastProblem);
        }
        return response.build();
    }
}

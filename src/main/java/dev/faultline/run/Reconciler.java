package dev.faultline.run;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.OwnedRule;
import dev.faultline.mesh.RuleRef;
import dev.faultline.security.NamespacePolicy;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Makes sure no fault outlives its run. At start-up — before the application reports ready — it
 * ends the runs this instance owned before it stopped ("orchestrator restarted") and removes their
 * rules; then, and every few seconds, it removes every Faultline rule in the allowed namespaces
 * whose run has ended or is unknown, whose expiry has passed, or whose owner stopped beating, and
 * ends such orphaned runs ("owner lost"). It also keeps this instance's runs beating.
 */
@ApplicationScoped
@Readiness
public class Reconciler implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    static final String RESTARTED = "orchestrator restarted";
    static final String OWNER_LOST = "owner lost";

    private final RunStore store;
    private final RunEngine engine;
    private final FaultInjector injector;
    private final NamespacePolicy policy;
    private final Instance instance;
    private final RunConfig config;
    private final Clock clock;
    private volatile boolean startedClean;
    private volatile String lastProblem;

    Reconciler(RunStore store, RunEngine engine, FaultInjector injector, NamespacePolicy policy, Instance instance, RunConfig config,
            Clock clock) {
        this.store = store;
        this.engine = engine;
        this.injector = injector;
        this.policy = policy;
        this.instance = instance;
        this.config = config;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent start) {
        for (String runId : store.liveRunsOwnedBy(instance.id())) {
            endLeftover(runId, RESTARTED);
        }
        startedClean = sweep();
    }

    /**
     * Every instance beats for its own live runs and watches for runs whose owner stopped beating.
     * It runs on the simple scheduler, on every instance — not on Quartz, which would pick one.
     */
    @Scheduled(every = "${faultline.run.heartbeat-interval:PT2S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            delayed = "${faultline.run.heartbeat-interval:PT2S}", executeWith = Scheduled.SIMPLE)
    void beat() {
        store.heartbeat(instance.id());
        Instant stale = clock.instant().minus(config.ownerTimeout());
        for (String runId : store.orphanedRuns(instance.id(), stale)) {
            if (store.claimOrphan(runId, instance.id(), stale)) {
                endLeftover(runId, OWNER_LOST);
            }
        }
    }

    @Scheduled(every = "${faultline.run.reconcile-interval:PT5S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            delayed = "${faultline.run.reconcile-interval:PT5S}", executeWith = Scheduled.SIMPLE)
    void periodically() {
        if (store.halt().halted() && engine.liveCount() > 0) {
            engine.abortAll("halted");
        }
        boolean clean = sweep();
        startedClean = startedClean || clean;
    }

    /** Removes the rules of a run no instance carries out any more, and ends it ABORTED. */
    private void endLeftover(String runId, String reason) {
        if (engine.isLiveHere(runId)) {
            return;
        }
        store.transition(runId, RunState.RECOVERING, reason + "; removing its rules");
        engine.removeRules(runId);
        store.transition(runId, RunState.ABORTED, reason);
        LOG.warnf("Run %s ended ABORTED: %s", runId, reason);
    }

    /** One pass over the allowed namespaces; true when every namespace could be read and every rule due could be removed. */
    boolean sweep() {
        boolean clean = true;
        Instant now = clock.instant();
        for (String namespace : policy.settings().allowedNamespaces()) {
            List<OwnedRule> owned;
            try {
                owned = injector.owned(namespace);
            } catch (MeshException e) {
                lastProblem = e.getMessage();
                LOG.warnf("Could not look for rules left behind in %s: %s", namespace, e.getMessage());
                clean = false;
                continue;
            }
            for (OwnedRule rule : owned) {
                Optional<String> why = whyRemove(rule, now);
                if (why.isPresent()) {
                    clean &= remove(rule.rule(), why.get());
                }
            }
        }
        if (clean) {
            lastProblem = null;
        }
        return clean;
    }

    private Optional<String> whyRemove(OwnedRule rule, Instant now) {
        String runId = rule.rule().runId();
        if (engine.isLiveHere(runId)) {
            return Optional.empty();
        }
        Optional<RunState> state = store.state(runId);
        if (state.isEmpty()) {
            return Optional.of("its run " + runId + " is unknown");
        }
        if (state.get().isTerminal()) {
            return Optional.of("its run " + runId + " has ended " + state.get());
        }
        if (rule.expiresAt() != null && rule.expiresAt().isBefore(now)) {
            return Optional.of("it expired at " + rule.expiresAt());
        }
        return Optional.empty();
    }

    private boolean remove(RuleRef rule, String why) {
        try {
            injector.remove(rule);
            Instant at = clock.instant();
            store.state(rule.runId()).ifPresent(state -> {
                store.ruleRemoved(rule.runId(), rule.route(), at, rule.route() + " removed by the reconciler: " + why);
                store.needsCleanup(rule.runId(), false);
            });
            LOG.warnf("Removed rule %s from %s/%s left behind: %s", rule.route(), rule.namespace(), rule.resource(), why);
            return true;
        } catch (MeshException e) {
            lastProblem = e.getMessage();
            LOG.warnf("Could not remove rule %s left behind (%s): %s", rule.route(), why, e.getMessage());
            return false;
        }
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

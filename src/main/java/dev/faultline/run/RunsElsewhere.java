package dev.faultline.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.faultline.DatabaseUnavailableException;
import dev.faultline.ResourceConflictException;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.OwnedRule;
import dev.faultline.mesh.RuleRef;

/**
 * Runs this instance does not carry out: an abort received for another instance's run, and the
 * ending of runs no instance carries out any more (left before a restart, or by an owner that
 * stopped beating). Their rules are found in the mesh by annotation and in the database as far as
 * it answers, and removed before anything is recorded.
 */
@ApplicationScoped
class RunsElsewhere {

    private static final Logger LOG = Logger.getLogger(RunsElsewhere.class);

    /** Runs no instance carries out that this one is ending now (at start-up, after a takeover). */
    private final Set<String> endingHere = ConcurrentHashMap.newKeySet();
    private final RunStore store;
    private final RunLifecycle lifecycle;
    private final LiveRuns live;
    private final FaultInjector injector;
    private final RuleNamespaces namespaces;
    private final RunConfig config;
    private final Instance instance;
    private final Clock clock;

    RunsElsewhere(RunStore store, RunLifecycle lifecycle, LiveRuns live, FaultInjector injector, RuleNamespaces namespaces,
            RunConfig config, Instance instance, Clock clock) {
        this.store = store;
        this.lifecycle = lifecycle;
        this.live = live;
        this.injector = injector;
        this.namespaces = namespaces;
        this.config = config;
        this.instance = instance;
        this.clock = clock;
    }

    /**
     * Aborts another instance's run: the abort is marked in the database alongside the removal (so
     * that its owner takes the removal for the abort it is), this instance removes the rules itself,
     * and the owner — or this instance, when the owner has stopped beating — ends the run. Without
     * the database, whatever the mesh holds for the run is removed and the answer says so (503).
     */
    Run abort(String runId, String why) {
        Optional<RunStore.Facts> facts;
        try {
            facts = store.facts(runId);
        } catch (RuntimeException e) {
            if (!DatabaseUnavailableException.isCause(e)) {
                throw e;
            }
            List<Removed> removed = removeFoundInMesh(runId, namespaces.known());
            throw new DatabaseUnavailableException("Faultline's database does not answer; " + (removed.isEmpty()
                    ? "no rule of run " + runId + " was found in the mesh"
                    : "the rules of run " + runId + " found in the mesh were removed: "
                            + removed.stream().map(gone -> gone.rule().namespace() + "/" + gone.rule().resource()).toList())
                    + ". The abort is not recorded; its owner removes its rules by itself when it cannot reach the database either", e);
        }
        RunStore.Facts run = facts.orElseThrow(() -> new ResourceNotFoundException("run " + runId + " does not exist"));
        if (run.state().isTerminal()) {
            throw new ResourceConflictException("run " + runId + " has already ended " + run.state());
        }
        // marked alongside the removal, which never waits for it: the owner that sees its rule go finds the mark
        Thread mark = Thread.ofVirtual().start(() -> store.requestAbort(runId, why));
        removeForOther(runId, run.targetNamespace(), null, "by " + instance.id() + " for the abort");
        join(mark);
        awaitOwnerOrEnd(runId, why);
        return store.find(runId).orElseThrow();
    }

    /** Waits a couple of heartbeats for the run's owner to end it; when the owner has stopped beating, ends it here. */
    private void awaitOwnerOrEnd(String runId, String reason) {
        Instant deadline = clock.instant().plus(config.heartbeatInterval().multipliedBy(2)).plusSeconds(1);
        while (clock.instant().isBefore(deadline)) {
            Optional<RunStore.Facts> now = store.facts(runId);
            if (now.isEmpty() || now.get().state().isTerminal()) {
                return;
            }
            Instant stale = clock.instant().minus(config.ownerTimeout());
            if (now.get().heartbeatAt().isBefore(stale)) {
                store.claimOrphan(runId, instance.id(), stale).ifPresent(claimed -> endLeftover(claimed, reason));
                return;
            }
            sleep(Duration.ofMillis(100));
        }
    }

    /** What one removal by an instance that does not carry the run out did. */
    record Removed(RuleRef rule, Instant at, FaultInjector.Removal removal) {
    }

    /**
     * Removes the rules of a run this instance does not carry out: those the database lists, and
     * those the mesh holds for it in its target namespace (an apply whose answer was lost). Each
     * removal is recorded — under {@code owner} when this instance now holds the run, otherwise as
     * another instance's — as far as the database answers; false when a rule could not be removed.
     */
    boolean removeForOther(String runId, String namespace, Ownership owner, String how) {
        List<RuleRef> rules = new ArrayList<>();
        try {
            for (OwnedRule found : injector.owned(namespace)) {
                if (found.rule().runId().equals(runId)) {
                    rules.add(found.rule());
                }
            }
        } catch (MeshException e) {
            LOG.warnf("Could not look for rules of run %s in %s: %s", runId, namespace, e.getMessage());
        }
        try {
            for (RuleRef recorded : store.liveRules(runId)) {
                if (rules.stream().noneMatch(r -> r.route().equals(recorded.route()) && r.namespace().equals(recorded.namespace()))) {
                    rules.add(recorded);
                }
            }
        } catch (RuntimeException e) {
            if (!DatabaseUnavailableException.isCause(e)) {
                throw e;
            }
            LOG.warnf("The database does not answer; removing the rules of run %s found in %s only", runId, namespace);
        }
        boolean all = true;
        for (RuleRef rule : rules) {
            String message;
            boolean failed = false;
            Instant at;
            try {
                FaultInjector.Removal removal = injector.remove(rule);
                at = clock.instant();
                message = rule.route() + (removal == FaultInjector.Removal.ALREADY_GONE ? " was already gone"
                        : " removed from " + rule.namespace() + "/" + rule.resource() + " " + how);
            } catch (MeshException e) {
                all = false;
                failed = true;
                at = clock.instant();
                message = e.getMessage() + "; the reconciler keeps trying";
                LOG.warnf("Could not remove rule %s of run %s: %s", rule.route(), runId, e.getMessage());
            }
            try {
                if (!failed) {
                    store.ruleRemoved(owner, rule, at, message);
                } else if (owner != null) {
                    store.needsCleanup(owner, true, message, at);
                }
            } catch (RuntimeException e) {
                if (e instanceof FencedException || !DatabaseUnavailableException.isCause(e)) {
                    throw e;
                }
                LOG.warnf("Could not record the removal of rule %s of run %s: the database does not answer", rule.route(), runId);
            }
        }
        return all;
    }

    /** Without the database: removes whatever the mesh holds for the run in {@code where}. */
    private List<Removed> removeFoundInMesh(String runId, List<String> where) {
        List<Removed> removed = new ArrayList<>();
        for (String namespace : where) {
            List<OwnedRule> owned;
            try {
                owned = injector.owned(namespace);
            } catch (MeshException e) {
                LOG.warnf("Could not look for rules of run %s in %s: %s", runId, namespace, e.getMessage());
                continue;
            }
            for (OwnedRule found : owned) {
                if (found.rule().runId().equals(runId)) {
                    try {
                        removed.add(new Removed(found.rule(), clock.instant(), injector.remove(found.rule())));
                    } catch (MeshException e) {
                        LOG.warnf("Could not remove rule %s of run %s: %s", found.rule().route(), runId, e.getMessage());
                    }
                }
            }
        }
        return removed;
    }

    /**
     * Ends a run that no instance carries out any more — left by this instance before a restart, or
     * by an owner that stopped beating — under the ownership this instance now holds: its rules come
     * out first, then the run ends (CANCELLED when it had not injected yet, ABORTED otherwise).
     */
    void endLeftover(Ownership owner, String reason) {
        if (live.isLiveHere(owner.runId()) || !endingHere.add(owner.runId())) {
            return;
        }
        try {
            endLeftoverOnce(owner, reason);
        } finally {
            endingHere.remove(owner.runId());
        }
    }

    private void endLeftoverOnce(Ownership owner, String reason) {
        Optional<RunStore.Facts> facts = store.facts(owner.runId());
        if (facts.isEmpty() || facts.get().state().isTerminal()) {
            return;
        }
        RunState state = facts.get().state();
        Instant began = clock.instant();
        try {
            if (state == RunState.PENDING || state == RunState.PRECHECK) {
                lifecycle.end(owner, RunState.CANCELLED, reason + " before injecting");
                return;
            }
            removeForOther(owner.runId(), facts.get().targetNamespace(), owner, "(" + reason + ")");
            if (state != RunState.POSTCHECK && state != RunState.RECOVERING) {
                lifecycle.move(owner, RunState.RECOVERING, reason + "; removing its rules", began);
            }
            lifecycle.end(owner, RunState.ABORTED, reason);
        } catch (FencedException e) {
            LOG.infof("Run %s was taken over again meanwhile", owner.runId());
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.faultline.run;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.OwnedRule;
import dev.faultline.mesh.RuleRef;

/**
 * Takes the rules of this instance's live runs out of the mesh, from what each run holds in memory,
 * and keeps what happened in the run's {@link LiveRun#removals} for its own thread to record
 * afterwards ({@link #record}), so that no removal waits for the database.
 */
@ApplicationScoped
class RuleRemovals {

    private static final Logger LOG = Logger.getLogger(RuleRemovals.class);

    /** One lock per live run, so that an abort and the run's own recovery never remove its rules at once. */
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final RunStore store;
    private final RunLifecycle lifecycle;
    private final FaultInjector injector;
    private final Clock clock;
    private final RunMetrics metrics;

    RuleRemovals(RunStore store, RunLifecycle lifecycle, FaultInjector injector, Clock clock, RunMetrics metrics) {
        this.store = store;
        this.lifecycle = lifecycle;
        this.injector = injector;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * Removes every rule the run holds in memory, keeping what happened for its thread to record.
     * Under the run's lock, so an abort, the kill switch and the run's own recovery never remove at
     * once, and whichever comes second finds nothing left to remove.
     */
    void removeHeld(LiveRun run) {
        ReentrantLock lock = lockFor(run.id);
        lock.lock();
        try {
            for (RuleRef rule : List.copyOf(run.rules)) {
                try {
                    FaultInjector.Removal removal = injector.remove(rule);
                    Instant at = clock.instant();
                    run.rules.remove(rule);
                    String removed = " removed from " + rule.namespace() + "/" + rule.resource();
                    // gone already while the kill switch runs: its bulk pass took it out a moment before
                    run.removals.add(new LiveRun.Removal(rule, at, rule.route() + (removal != FaultInjector.Removal.ALREADY_GONE ? removed
                            : run.halting ? removed + " by the kill switch" : " was already gone"), false));
                } catch (RuntimeException e) {
                    LOG.warnf("Could not remove rule %s of run %s: %s", rule.route(), run.id, e.getMessage());
                    run.removals.add(new LiveRun.Removal(rule, clock.instant(), e.getMessage() + "; the reconciler keeps trying", true));
                }
            }
            if (run.rules.isEmpty()) {
                metrics.rulesRemoved(run); // never throws
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * An apply that failed may still have written its rule (the API server took it, its answer was
     * lost), and then this instance does not know it: look for the run's rule by its annotations.
     */
    void removeUnrecorded(LiveRun run) {
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

    /** Records, under the run's ownership, every removal kept so far (retried while the database is away). */
    void record(LiveRun run) {
        for (LiveRun.Removal removal; (removal = run.removals.poll()) != null;) {
            LiveRun.Removal r = removal;
            if (r.failed()) {
                lifecycle.durably("a failed removal of run " + run.id, () -> store.needsCleanup(run.owner, true, r.message(), r.at()));
            } else {
                lifecycle.durably("a removal of run " + run.id, () -> store.ruleRemoved(run.owner, r.rule(), r.at(), r.message()));
            }
        }
    }

    /** The run has left this instance's live runs. */
    void forget(String runId) {
        locks.remove(runId);
    }

    private ReentrantLock lockFor(String runId) {
        return locks.computeIfAbsent(runId, id -> new ReentrantLock());
    }
}

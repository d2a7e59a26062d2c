package dev.faultline.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.faultline.DatabaseUnavailableException;
import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.Fence;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.RuleRef;

/**
 * The runs this instance carries out, as it holds them in memory, and every way one is stopped from
 * outside its own thread: an abort, a takeover (the {@link Ownership} epoch fences it), the kill
 * switch's pass, the dead man's switch, the retry of removals that failed. Each takes the rules out
 * first, from memory, through {@link RuleRemovals}; the run's own thread records afterwards.
 */
@ApplicationScoped
class LiveRuns {

    private static final Logger LOG = Logger.getLogger(LiveRuns.class);

    private final Map<String, LiveRun> live = new ConcurrentHashMap<>();
    private final RunStore store;
    private final RuleRemovals removals;
    private final FaultInjector injector;
    private final GuardrailMonitor monitor;
    private final Clock clock;

    LiveRuns(RunStore store, RuleRemovals removals, FaultInjector injector, GuardrailMonitor monitor, Clock clock) {
        this.store = store;
        this.removals = removals;
        this.injector = injector;
        this.monitor = monitor;
        this.clock = clock;
    }

    void add(LiveRun run) {
        live.put(run.id, run);
    }

    /** The run, when this instance carries it out; otherwise null. */
    LiveRun get(String runId) {
        return live.get(runId);
    }

    boolean isLiveHere(String runId) {
        return live.containsKey(runId);
    }

    int liveCount() {
        return live.size();
    }

    /** The rules this instance's live runs hold in the mesh. */
    int rulesHeld() {
        return live.values().stream().mapToInt(run -> run.rules.size()).sum();
    }

    /** The rules held by runs that are stopping, recovering or fenced: due out of the mesh, as {@link #retryRemovals} sees them. */
    int rulesAwaitingRemoval() {
        return live.values().stream().filter(run -> run.stopped() || run.recovering || run.fenced()).mapToInt(run -> run.rules.size())
                .sum();
    }

    /** The run's thread is done with it. */
    void forget(LiveRun run) {
        run.closeWatch();
        live.remove(run.id);
        removals.forget(run.id);
        if (!run.ended.isDone()) {
            run.ended.complete(null);
        }
    }

    /** Takes the run's rules out first, from what it knows in memory; its own thread records afterwards. */
    void abort(LiveRun run, String reason) {
        if (run.stop(LiveRun.Stop.abort(reason, clock.instant()))) {
            monitor.unwatch(run.id);
            run.closeWatch();
            removals.removeHeld(run);
        }
    }

    /** Another instance holds the run now: take out what this one holds (it is already gone, or about to be) and record nothing. */
    void fenced(LiveRun run) {
        if (!run.fenced()) {
            LOG.warnf("Run %s was taken over by another instance; this one stops acting for it", run.id);
            run.fence();
            monitor.unwatch(run.id);
            run.closeWatch();
            removals.removeHeld(run);
        }
    }

    /** Before a rule is written or changed: this instance must still hold the run, as the database says now. */
    Fence fence(LiveRun run) {
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
        // what the live runs hold now: a run's own recovery may take a rule out before the bulk pass sees it
        List<RuleRef> held = live.values().stream().flatMap(run -> run.rules.stream()).toList();
        for (LiveRun run : live.values()) {
            run.halting = true;
            if (run.stop(LiveRun.Stop.abort(reason, at))) {
                monitor.unwatch(run.id);
            }
            run.closeWatch();
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
                removals.removeHeld(run); // outside these namespaces, or not removed in bulk
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
        Set<String> inBulk = removed.stream().map(gone -> gone.rule().route()).collect(Collectors.toSet());
        Set<String> stillHeld = live.values().stream().flatMap(run -> run.rules.stream()).map(RuleRef::route).collect(Collectors.toSet());
        List<FaultInjector.Removed> all = new ArrayList<>(removed);
        Instant done = clock.instant();
        held.stream().filter(rule -> !inBulk.contains(rule.route()) && !stillHeld.contains(rule.route()))
                .forEach(rule -> all.add(new FaultInjector.Removed(rule, done)));
        return new FaultInjector.BulkRemoval(all, problems);
    }

    /**
     * Tries again, from memory and without the database, to remove the rules that stopped runs still
     * hold because their removal failed (the API server was away longer than the removal retried).
     */
    void retryRemovals() {
        for (LiveRun run : live.values()) {
            if ((run.stopped() || run.recovering || run.fenced()) && !run.rules.isEmpty()) {
                removals.removeHeld(run);
            }
        }
    }
}

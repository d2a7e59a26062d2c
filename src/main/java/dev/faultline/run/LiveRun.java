package dev.faultline.run;

import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

import dev.faultline.experiment.spec.Experiment;
import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.FaultRequest;
import dev.faultline.mesh.RuleRef;

/**
 * A run being carried out by this instance: what it runs, what it holds in the mesh, and whether
 * (and why) it must stop. What happened to its rules is kept here first and recorded by the run's
 * own thread afterwards, so that nothing that removes a rule waits for the database.
 */
final class LiveRun {

    private static final Logger LOG = Logger.getLogger(LiveRun.class);

    /** Why a run stops before its time: an abort (ABORTED) or someone else's change to its rule (FAILED). */
    record Stop(RunState verdict, TimelineKind kind, String reason, Instant at) {

        static Stop abort(String reason, Instant at) {
            return new Stop(RunState.ABORTED, TimelineKind.ABORT, reason, at);
        }

        static Stop drift(String reason, Instant at) {
            return new Stop(RunState.FAILED, TimelineKind.DRIFT, reason, at);
        }
    }

    /** A rule taken out of the mesh (or that could not be), waiting to be recorded. */
    record Removal(RuleRef rule, Instant at, String message, boolean failed) {
    }

    final String id;
    final Ownership owner;
    final Experiment experiment;
    final boolean widerBlastRadius;
    final String startedBy;
    /** When this instance took the run on (System.nanoTime), to tell it from runs the database does not list yet. */
    final long registeredNanos = System.nanoTime();
    final CompletableFuture<Run> ended = new CompletableFuture<>();
    /** Rules written and not yet removed, known here the moment the API server accepted them. */
    final List<RuleRef> rules = new CopyOnWriteArrayList<>();
    final Queue<Removal> removals = new ConcurrentLinkedQueue<>();
    volatile FaultInjector.RuleWatch watch;
    /** When (System.nanoTime) a guardrail breach was seen, until the run's rules are out; 0 otherwise (for {@link RunMetrics}). */
    final AtomicLong breachedNanos = new AtomicLong();
    /** Set when the kill switch takes this run's rules out in bulk. */
    volatile boolean halting;
    /** Set once the run's own recovery has begun: from then on, changes to its rules are its own. */
    volatile boolean recovering;
    /** Another instance holds the run now: this one removes what it holds and records nothing more. */
    private volatile boolean fenced;
    private final AtomicReference<Stop> stop = new AtomicReference<>();
    private final CountDownLatch stopSignal = new CountDownLatch(1);

    LiveRun(Ownership owner, Experiment experiment, boolean widerBlastRadius, String startedBy) {
        this.id = owner.runId();
        this.owner = owner;
        this.experiment = experiment;
        this.widerBlastRadius = widerBlastRadius;
        this.startedBy = startedBy;
    }

    /** Records the first reason to stop; true when this call was the first. */
    boolean stop(Stop reason) {
        boolean first = stop.compareAndSet(null, reason);
        stopSignal.countDown();
        return first;
    }

    boolean stopped() {
        return stop.get() != null;
    }

    Stop stopReason() {
        return stop.get();
    }

    void fence() {
        fenced = true;
        stopSignal.countDown();
    }

    boolean fenced() {
        return fenced;
    }

    /** Waits up to {@code millis}; true when the run was stopped (or fenced) meanwhile. */
    boolean awaitStop(long millis) throws InterruptedException {
        return millis <= 0 ? stopped() || fenced : stopSignal.await(millis, TimeUnit.MILLISECONDS);
    }

    /** What the run asks of the mesh at {@code at}: its faults in full, or capped at a ramp step's percentage. */
    FaultRequest request(Instant at, Double rampPercentage) {
        FaultRequest full = FaultRequest.of(id, owner.epoch(), experiment.spec(), at, widerBlastRadius);
        return rampPercentage == null ? full : full.cappedAt(rampPercentage);
    }

    /** Stops watching the run's rule for changes by others, if it is watched. */
    void closeWatch() {
        FaultInjector.RuleWatch current = watch;
        if (current != null) {
            watch = null;
            try {
                current.close();
            } catch (RuntimeException e) {
                LOG.debugf(e, "Closing the watch on run %s's rule failed", id);
            }
        }
    }
}

package dev.faultline.run;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.faultline.experiment.spec.Experiment;
import dev.faultline.mesh.RuleRef;

/** A run being carried out by this instance: what it runs, and whether (and why) it must stop. */
final class LiveRun {

    final String id;
    final Experiment experiment;
    final boolean widerBlastRadius;
    final String startedBy;
    final CompletableFuture<Run> ended = new CompletableFuture<>();
    /** Rules written and not yet removed, known here the moment the API server accepted them. */
    final List<RuleRef> rules = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> abortReason = new AtomicReference<>();
    private final CountDownLatch abortSignal = new CountDownLatch(1);

    LiveRun(String id, Experiment experiment, boolean widerBlastRadius, String startedBy) {
        this.id = id;
        this.experiment = experiment;
        this.widerBlastRadius = widerBlastRadius;
        this.startedBy = startedBy;
    }

    /** Records the first reason to abort; true when this call was the first. */
    boolean abort(String reason) {
        boolean first = abortReason.compareAndSet(null, reason);
        abortSignal.countDown();
        return first;
    }

    boolean aborted() {
        return abortReason.get() != null;
    }

    String abortReason() {
        return abortReason.get();
    }

    /** Waits up to {@code millis}; true when the run was aborted meanwhile. */
    boolean awaitAbort(long millis) throws InterruptedException {
        return millis <= 0 ? aborted() : abortSignal.await(millis, TimeUnit.MILLISECONDS);
    }
}

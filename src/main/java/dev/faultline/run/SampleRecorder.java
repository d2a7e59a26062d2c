package dev.faultline.run;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import dev.faultline.DatabaseUnavailableException;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Stores check samples in batches, off the checking threads: with hundreds of live runs the
 * monitor checks thousands of guardrails a second, and one transaction per sample would make the
 * database the bottleneck of every abort. A writer thread stores what has queued up every
 * {@link #PERIOD} in one transaction; {@link #flush} waits until everything queued so far is
 * stored, which a run does before it ends, so an ended run's samples are complete.
 */
@ApplicationScoped
class SampleRecorder {

    private static final Logger LOG = Logger.getLogger(SampleRecorder.class);
    static final Duration PERIOD = Duration.ofMillis(200);
    /** Beyond this many waiting samples (the database is down), new ones are dropped and counted. */
    private static final int CAPACITY = 100_000;
    private static final int BATCH = 5_000;

    /** One check of one run, waiting to be stored. */
    record Pending(long sequence, String runId, long epoch, String checkPath, String phase, Instant at, Double value, boolean passed,
            String threshold, String reason) {
    }

    private final RunStore store;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>(CAPACITY);
    private final AtomicLong enqueued = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Object progress = new Object();
    private volatile long stored;
    private final Thread writer;
    private volatile boolean stopped;
    /** Written by the writer thread only. */
    private List<Pending> refused = List.of();

    SampleRecorder(RunStore store) {
        this.store = store;
        this.writer = Thread.ofPlatform().name("sample-recorder").daemon().start(this::loop);
    }

    void record(Ownership owner, String checkPath, String phase, Instant at, Double value, boolean passed, String threshold,
            String reason) {
        synchronized (queue) {
            Pending pending = new Pending(enqueued.get() + 1, owner.runId(), owner.epoch(), checkPath, phase, at, value, passed, threshold, reason);
            if (queue.offer(pending)) {
                enqueued.incrementAndGet();
            } else if (dropped.incrementAndGet() % 1000 == 1) {
                LOG.warnf("%d check samples dropped: the database does not keep up", dropped.get());
            }
        }
    }

    /** Waits (up to {@code timeout}) until every sample recorded before this call is stored. */
    void flush(Duration timeout) {
        long target = enqueued.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (stored < target && !stopped) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warnf("Check samples not yet stored after %d ms", timeout.toMillis());
                    return;
                }
                LockSupport.unpark(writer);
                try {
                    TimeUnit.NANOSECONDS.timedWait(progress, Math.min(left, PERIOD.toNanos()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void loop() {
        while (!stopped) {
            LockSupport.parkNanos(PERIOD.toNanos()); // or less: a flush unparks it
            writeQueued();
        }
        writeQueued();
    }

    /** Stores what has queued up; a batch the database could not take because it is away is kept and tried again next time. */
    private void writeQueued() {
        while (true) {
            List<Pending> batch = new ArrayList<>(refused);
            if (batch.isEmpty() && queue.drainTo(batch, BATCH) == 0) {
                return;
            }
            try {
                store.samples(batch);
                refused = List.of();
            } catch (RuntimeException e) {
                if (DatabaseUnavailableException.isCause(e) && !stopped) {
                    if (refused.isEmpty()) {
                        LOG.warnf("The database does not answer; %d check samples wait to be stored", batch.size());
                    }
                    refused = batch;
                    return;
                }
                LOG.warnf(e, "Could not store %d check samples", batch.size());
                refused = List.of();
            }
            markStored(batch.get(batch.size() - 1).sequence());
        }
    }

    private void markStored(long sequence) {
        synchronized (progress) {
            stored = sequence;
            progress.notifyAll();
        }
    }

    /** After the runs have ended (their observer goes first), while the database is still open. */
    void stop(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER) ShutdownEvent event) {
        stopped = true;
        LockSupport.unpark(writer);
        try {
            writer.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

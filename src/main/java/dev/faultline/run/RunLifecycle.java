package dev.faultline.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import org.jboss.logging.Logger;

import dev.faultline.DatabaseUnavailableException;

/**
 * The one place runs move and end. Whoever ends a run — the engine, an abort, the kill switch, a
 * guardrail, the reconciler, a takeover, shutdown or the dead man's switch — comes here: the move is
 * checked against the lifecycle ({@link RunState#next()}), stored under the owner's epoch, and an
 * ending fires its {@link RunEvent}, so every abort is notified. Stores are retried while the
 * database is away: by then the rules are out of the mesh, and only the record waits.
 */
@ApplicationScoped
public class RunLifecycle {

    private static final Logger LOG = Logger.getLogger(RunLifecycle.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);
    private static final Duration WARN_EVERY = Duration.ofSeconds(10);

    private final RunStore store;
    private final SampleRecorder samples;
    private final Event<RunEvent> events;
    private final Clock clock;

    RunLifecycle(RunStore store, SampleRecorder samples, Event<RunEvent> events, Clock clock) {
        this.store = store;
        this.samples = samples;
        this.events = events;
        this.clock = clock;
    }

    /** Moves the run to a state that is not its end; false when it has ended already. */
    boolean move(Ownership owner, RunState state, String message, Instant at) {
        if (state.isTerminal()) {
            throw new IllegalArgumentException(state + " ends a run: use end()");
        }
        return durably("the move of run " + owner.runId() + " to " + state, () -> store.transition(owner, state, message, at));
    }

    /** Records that the steady state held again at {@code at}, {@code seconds} after the rules were removed. */
    void recovered(Ownership owner, double seconds, Instant at) {
        durably("the recovery of run " + owner.runId(), () -> store.recovered(owner, seconds, at));
    }

    /**
     * Ends the run with {@code verdict}: its samples are flushed, the ending stored and its event
     * fired (once, by whoever stored it). The run as stored.
     */
    Run end(Ownership owner, RunState verdict, String reason) {
        if (!verdict.isTerminal()) {
            throw new IllegalArgumentException(verdict + " does not end a run");
        }
        samples.flush(Duration.ofSeconds(5));
        Instant at = clock.instant();
        boolean ended = durably("the end of run " + owner.runId(), () -> store.transition(owner, verdict, reason, at));
        Run run = durably("reading run " + owner.runId(), () -> store.find(owner.runId()).orElseThrow());
        if (ended) {
            publish(new RunEvent(run.id(), run.experiment(), RunEvent.Type.valueOf(verdict.name()), verdict, reason, run.startedBy(), at,
                    run, samplesOf(run.id())));
            LOG.infof("Run %s of %s ended %s: %s", run.id(), run.experiment(), verdict, reason);
        }
        return run;
    }

    /** Tells observers (notifications, the UI) without ever delaying or breaking the run. */
    /** Says that the run has started writing its fault rules. */
    void started(String runId, String startedBy, Instant at) {
        try {
            store.find(runId).ifPresent(run -> publish(new RunEvent(run.id(), run.experiment(), RunEvent.Type.STARTED,
                    RunState.INJECTING, null, startedBy, at, run, List.of())));
        } catch (RuntimeException e) {
            LOG.warnf("Could not say that run %s started: %s", runId, e.getMessage());
        }
    }

    /**
     * The samples an ending's observers see: the newest of each check, oldest first (one indexed row
     * per check, however long the run went on); empty when the database does not give them, as the
     * ending is published anyway.
     */
    private List<Run.Sample> samplesOf(String runId) {
        try {
            return store.latestSamples(List.of(runId)).getOrDefault(runId, List.of()).stream()
                    .sorted(java.util.Comparator.comparing(Run.Sample::at)).toList();
        } catch (RuntimeException e) {
            LOG.warnf("The samples of run %s could not be read for its observers: %s", runId, e.getMessage());
            return List.of();
        }
    }

    private void publish(RunEvent event) {
        try {
            events.fireAsync(event).exceptionally(failure -> {
                LOG.warnf(failure, "An observer of run %s failed", event.runId());
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warnf(e, "Could not publish %s of run %s", event.type(), event.runId());
        }
    }

    /**
     * Runs {@code write} until the database takes it: a failure because the database is away is
     * retried with a short backoff, any other failure (a fenced owner among them) is thrown.
     */
    <T> T durably(String what, Supplier<T> write) {
        Duration backoff = Duration.ofMillis(100);
        Instant warned = null;
        while (true) {
            try {
                return write.get();
            } catch (RuntimeException e) {
                if (!DatabaseUnavailableException.isCause(e)) {
                    throw e;
                }
                Instant now = clock.instant();
                if (warned == null || Duration.between(warned, now).compareTo(WARN_EVERY) >= 0) {
                    LOG.warnf("The database does not answer; %s is kept and stored when it does", what);
                    warned = now;
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new DatabaseUnavailableException("interrupted while waiting for the database to store " + what, e);
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    void durably(String what, Runnable write) {
        durably(what, () -> {
            write.run();
            return null;
        });
    }
}

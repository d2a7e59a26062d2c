package dev.faultline.run;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.faultline.DatabaseUnavailableException;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.experiment.SavedExperiment;
import dev.faultline.experiment.spec.CredentialHeaders;
import dev.faultline.experiment.spec.ExperimentCodec;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Carries out runs: PRECHECK, INJECTING, OBSERVING, RECOVERING, POSTCHECK. A rule is written only
 * after INJECTING is stored and while this instance still holds the run; once anything may have been
 * written, recovery always runs. Every way a run stops — its end, a guardrail, a user's abort from any
 * instance, the kill switch, the dead man's switch, a takeover — takes the rules out of the mesh first,
 * from what this instance holds in memory, and records afterwards (through {@link RunLifecycle}).
 * Each run proceeds on its own thread through {@link RunExecution}; the runs this instance carries
 * out, and every way they are stopped from outside that thread, are {@link LiveRuns}.
 */
@ApplicationScoped
public class RunEngine {

    private static final Logger LOG = Logger.getLogger(RunEngine.class);
    private static final char[] ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    static final String SHUTTING_DOWN = "Faultline is shutting down";

    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("run-", 0).factory());
    private final RunStore store;
    private final RunsElsewhere elsewhere;
    private final LiveRuns live;
    private final RunExecution execution;
    private final Instance instance;
    private final Clock clock;

    RunEngine(RunStore store, RunsElsewhere elsewhere, LiveRuns live, RunExecution execution, Instance instance, Clock clock) {
        this.store = store;
        this.elsewhere = elsewhere;
        this.live = live;
        this.execution = execution;
        this.instance = instance;
        this.clock = clock;
    }

    /** Starts a run of this revision of an experiment; it proceeds on its own thread. */
    public Run start(SavedExperiment saved, boolean widerBlastRadius, String actor) {
        StoredRun run = new StoredRun();
        run.id = newId();
        run.experiment = saved.experiment().metadata().name();
        run.revision = saved.revision();
        run.document = ExperimentCodec.canonicalJson(CredentialHeaders.masked(saved.experiment())); // shown to every viewer
        run.state = RunState.PENDING;
        run.targetNamespace = saved.experiment().spec().target().namespace();
        run.targetService = saved.experiment().spec().target().serviceName();
        run.widerBlastRadius = widerBlastRadius;
        run.startedBy = actor;
        run.createdAt = clock.instant();
        run.owner = instance.id();
        run.heartbeatAt = run.createdAt;
        try {
            store.create(run);
        } catch (RuntimeException e) {
            throw unavailable(e, "no run was started");
        }
        Run created = store.find(run.id).orElseThrow();
        LiveRun liveRun = new LiveRun(new Ownership(run.id, 1), saved.experiment(), widerBlastRadius, actor);
        live.add(liveRun);
        executor.execute(() -> {
            try {
                execution.carryOut(liveRun);
            } catch (RuntimeException | Error e) {
                LOG.errorf(e, "Run %s could not be carried out to its end", liveRun.id);
                liveRun.ended.completeExceptionally(e);
            } finally {
                live.forget(liveRun);
            }
        });
        return created;
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
                Run ended = liveRun.ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (ended != null) {
                    return ended;
                }
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
                sleep(Duration.ofMillis(100));
            }
        }
        return store.find(runId).orElseThrow(() -> new ResourceNotFoundException("run " + runId + " does not exist"));
    }

    /**
     * Aborts a run, whichever instance carries it out: its rules are out of the mesh before this
     * returns — here from what this instance holds, for another instance's run through
     * {@link RunsElsewhere#abort}.
     */
    public Run abort(String runId, String reason, String actor) {
        String why = "aborted by " + actor + (reason == null || reason.isBlank() ? "" : ": " + reason);
        LiveRun liveRun = live.get(runId);
        if (liveRun != null) {
            live.abort(liveRun, why);
            try {
                return await(runId, Duration.ofSeconds(30));
            } catch (RuntimeException e) {
                throw unavailable(e, "the rules of run " + runId + " were removed from the mesh; the abort is recorded when it answers");
            }
        }
        return elsewhere.abort(runId, why);
    }

    private static RuntimeException unavailable(RuntimeException e, String what) {
        return DatabaseUnavailableException.isCause(e) ? new DatabaseUnavailableException("Faultline's database does not answer; " + what, e) : e;
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
        live.abortAll(SHUTTING_DOWN);
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

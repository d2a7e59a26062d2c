package dev.faultline.run;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.PageRequest;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.SavedExperiment;
import dev.faultline.security.AuditTrail;
import dev.faultline.security.Authors;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;

/**
 * Runs as callers see them: starting one (the experimenter role and a grant for the target's
 * namespace), aborting one (anyone signed in: stopping a fault is never refused), reading them.
 * Starts and aborts are recorded in the audit log as {@code run.start} and {@code run.abort}.
 */
@ApplicationScoped
public class RunService {

    private final RunEngine engine;
    private final RunStore store;
    private final ExperimentService experiments;
    private final AuditTrail audit;
    private final Authors authors;
    private final SteadyStateRecovery recovery;
    private final java.time.Clock clock;

    RunService(RunEngine engine, RunStore store, ExperimentService experiments, AuditTrail audit, Authors authors,
            SteadyStateRecovery recovery, java.time.Clock clock) {
        this.recovery = recovery;
        this.clock = clock;
        this.engine = engine;
        this.store = store;
        this.experiments = experiments;
        this.audit = audit;
        this.authors = authors;
    }

    /** How long after the removal of its rules a run's steady state may take to hold again (settle time and recovery timeout). */
    public Duration recoveryWindow() {
        return recovery.window();
    }

    /** Starts a run of the experiment's current revision. */
    public Run start(Caller caller, String experiment, boolean widerBlastRadius) {
        return audit.perform(caller, "run.start", ExperimentService.target(experiment), () -> {
            caller.require(Role.EXPERIMENTER);
            SavedExperiment saved = experiments.findToRun(experiment)
                    .orElseThrow(() -> new ResourceNotFoundException("experiment " + experiment + " does not exist"));
            caller.requireGrant(saved.experiment().spec().target().namespace());
            return engine.start(saved, widerBlastRadius, caller.name());
        });
    }

    /**
     * Starts a run that a schedule or a game day fires ({@code firedBy}: {@code schedule:NAME}) for
     * its {@code authors}: each must still be enabled, an experimenter and granted the target's
     * namespace, or the run is refused (403, policy) saying who and why — in the audit entry too.
     */
    public Run fire(Caller.Via via, String firedBy, List<Authors.Author> authors, SavedExperiment saved) {
        return audit.perform(Caller.job(firedBy, via), "run.start", ExperimentService.target(saved.experiment().name()), () -> {
            this.authors.requireStanding(authors, Role.EXPERIMENTER, List.of(saved.experiment().spec().target().namespace()));
            return engine.start(saved, false, firedBy);
        });
    }

    /** Aborts a run, whichever instance carries it out; its rules are out of the mesh when this returns. */
    public Run abort(Caller caller, String runId, String reason) {
        return audit.perform(caller, "run.abort", target(runId), () -> engine.abort(runId, reason, caller.name()));
    }

    /** Waits until the run has ended, or {@code timeout} has passed; the run as it is then. */
    public Run await(String runId, Duration timeout) {
        return engine.await(runId, timeout);
    }

    public Optional<Run> find(String id) {
        return store.find(id);
    }

    /** Newest first, narrowed to an experiment and a state when given; read in a fixed number of queries. */
    public List<Run> list(Optional<String> experiment, Optional<RunState> state, int limit) {
        return list(experiment, state, PageRequest.first(limit)).items();
    }

    /** A page of the runs, newest first (then by id), narrowed to an experiment and a state when given. */
    public PageRequest.Page<Run> list(Optional<String> experiment, Optional<RunState> state, PageRequest page) {
        return store.list(experiment, state, page);
    }

    /** The state of each experiment's newest run, by experiment name; in one query. */
    public java.util.Map<String, RunState> latestStates() {
        return store.latestStates();
    }

    /** Every sample of the run, oldest first (in the order they were stored). */
    public List<Run.Sample> samples(String runId) {
        return store.samples(runId);
    }

    /** A page of the run's samples, oldest first, after the sample {@code page} names: read by the index, limited in SQL. */
    public PageRequest.Page<Run.Sample> samples(String runId, PageRequest page) {
        return store.samples(runId, page);
    }

    /** The runs created since {@code since} of one experiment, or of every experiment on one namespace, newest first, with their findings. */
    public List<PastRun> history(Optional<String> experiment, Optional<String> namespace, java.time.Instant since, int limit) {
        return store.history(experiment, namespace, since, limit);
    }

    /** The run's findings as stored (a JSON array), empty until they are drawn. */
    public Optional<String> findings(String runId) {
        return store.findings(runId);
    }

    /** Stores the run's findings (a JSON array) once; whether these were the ones stored. */
    public boolean recordFindings(String runId, String json) {
        return store.recordFindings(runId, json, clock.instant());
    }

    /** Whether Faultline has a run {@code id} (one row read). */
    public boolean exists(String id) {
        return store.state(id).isPresent();
    }

    /** A reader of the run for one page that shows it live: each call reads only what is new (see {@link RunFollower}). */
    public RunFollower follow(String runId) {
        return new RunFollower(store, runId);
    }

    /** The newest sample of each check of each of these runs, by run id; in one query. */
    public java.util.Map<String, List<Run.Sample>> latestSamples(java.util.Collection<String> runIds) {
        return store.latestSamples(runIds);
    }

    /** How the audit log names a run. */
    public static String target(String runId) {
        return "run/" + runId;
    }
}

package dev.faultline.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

import org.jboss.logging.Logger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.PolicyDeniedException;
import dev.faultline.ResourceConflictException;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.SavedExperiment;
import dev.faultline.experiment.spec.FieldError;
import dev.faultline.experiment.spec.InvalidDocumentException;
import dev.faultline.run.Instance;
import dev.faultline.run.Run;
import dev.faultline.run.RunConfig;
import dev.faultline.run.RunEngine;
import dev.faultline.run.RunService;
import dev.faultline.security.AuditTrail;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;
import io.quarkus.narayana.jta.QuarkusTransaction;
import dev.faultline.run.RunState;
import dev.faultline.security.UserService;
import io.quarkus.scheduler.Scheduled;

/**
 * Game days: planned, approved by an approver other than whoever created or last changed them
 * (four eyes), started at their time by the clustered Quartz store (or by hand), then run step by
 * step on the instance that started them — a failed or aborted step stops the rest unless it
 * continues on failure. That instance beats for the game day; should it die, another ends it.
 */
@ApplicationScoped
public class GameDayService {

    private static final Logger LOG = Logger.getLogger(GameDayService.class);
    static final String GROUP = "game-days";
    /** A game day whose start fire comes later than this (every instance was down) is not started any more. */
    private static final Duration LATE = Duration.ofMinutes(15);

    public enum State {
        PLANNED, APPROVED, RUNNING, COMPLETED, FAILED, CANCELLED
    }

    private final Scheduler quartz;
    private final ExperimentService experiments;
    private final UserService users;
    private final RunEngine engine;
    private final RunService runs;
    private final AuditTrail audit;
    private final Instance instance;
    private final RunConfig runConfig;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("game-day-", 0).factory());

    GameDayService(Scheduler quartz, ExperimentService experiments, UserService users, RunEngine engine, RunService runs,
            AuditTrail audit, Instance instance, RunConfig runConfig, Clock clock) {
        this.runs = runs;
        this.audit = audit;
        this.quartz = quartz;
        this.experiments = experiments;
        this.users = users;
        this.engine = engine;
        this.instance = instance;
        this.runConfig = runConfig;
        this.clock = clock;
    }

    @Transactional
    public List<GameDayView> list() {
        return StoredGameDay.<StoredGameDay> listAll(io.quarkus.panache.common.Sort.ascending("name")).stream().map(this::view).toList();
    }

    @Transactional
    public Optional<GameDayView> find(String name) {
        return StoredGameDay.<StoredGameDay> findByIdOptional(name).map(this::view);
    }

    /** Plans a game day: experimenters, for experiments whose namespaces they were granted. */
    public void create(Caller caller, JsonNode document) {
        String name = document != null && document.hasNonNull("name") ? document.get("name").asText() : null;
        audit.perform(caller, "gameday.create", target(name), () -> {
            requireGrants(caller, document, null);
            QuarkusTransaction.joiningExisting().run(() -> create(document, caller.name()));
        });
    }

    /** Plans or changes a game day: true when created. */
    public boolean put(Caller caller, String name, JsonNode document) {
        return audit.perform(caller, "gameday.apply", target(name), () -> {
            requireGrants(caller, document, name);
            return QuarkusTransaction.joiningExisting().call(() -> put(name, document, caller.name()));
        });
    }

    public void delete(Caller caller, String name) {
        audit.perform(caller, "gameday.delete", target(name), () -> {
            requireGrants(caller, null, name);
            QuarkusTransaction.joiningExisting().run(() -> delete(name));
        });
    }

    /** Approves a planned game day: approvers, never whoever created or last changed it. */
    public GameDayView approve(Caller caller, String name) {
        return audit.perform(caller, "gameday.approve", target(name), () -> {
            caller.require(Role.APPROVER);
            return QuarkusTransaction.joiningExisting().call(() -> approve(name, caller.name()));
        });
    }

    /** Starts an approved game day now: experimenters granted every namespace it runs in. */
    public GameDayView start(Caller caller, String name) {
        return audit.perform(caller, "gameday.start", target(name), () -> {
            requireGrants(caller, null, name);
            return start(name, caller.name());
        });
    }

    /** Cancels a game day and aborts its live runs: anyone signed in, as anyone may abort a run. */
    public GameDayView cancel(Caller caller, String name) {
        return audit.perform(caller, "gameday.cancel", target(name), () -> cancel(name, caller.name()));
    }

    /** Records a finding: its participants, its creator and admins. */
    public GameDayView.Finding addFinding(Caller caller, String name, String text) {
        return audit.perform(caller, "gameday.finding.add", target(name), () -> {
            caller.require(Role.VIEWER);
            requirePerson(name, caller.name(), caller.has(Role.ADMIN));
            return QuarkusTransaction.joiningExisting().call(() -> addFinding(name, text, caller.name()));
        });
    }

    /** Records a follow-up action: its participants, its creator and admins. */
    public GameDayView.Action addAction(Caller caller, String name, String text, String owner, LocalDate due) {
        return audit.perform(caller, "gameday.action.add", target(name), () -> {
            caller.require(Role.VIEWER);
            requirePerson(name, caller.name(), caller.has(Role.ADMIN));
            return QuarkusTransaction.joiningExisting().call(() -> addAction(name, text, owner, due, caller.name()));
        });
    }

    public GameDayView.Action setDone(Caller caller, String name, long id, boolean done) {
        return audit.perform(caller, "gameday.action.update", target(name) + "/actions/" + id, () -> {
            caller.require(Role.VIEWER);
            requirePerson(name, caller.name(), caller.has(Role.ADMIN));
            return QuarkusTransaction.joiningExisting().call(() -> setDone(name, id, done));
        });
    }

    /** Whether {@code caller} may record findings and actions on game day {@code name}. */
    public boolean mayTakeNotes(Caller caller, String name) {
        return caller.has(Role.ADMIN) || people(name).contains(caller.name());
    }

    /** How the audit log names a game day. */
    public static String target(String name) {
        return "gameday/" + name;
    }

    /** Experimenters change game days whose experiments they were granted: those it runs now, and those it is to run. */
    private void requireGrants(Caller caller, JsonNode document, String name) {
        caller.require(Role.EXPERIMENTER);
        if (document != null) {
            List<String> named = new ArrayList<>();
            for (JsonNode step : document.path("steps")) {
                JsonNode names = step.has("experiment") ? step.path("experiment") : step.path("experiments");
                for (JsonNode experiment : names.isArray() ? names : List.of(names)) {
                    if (experiment.isTextual()) {
                        named.add(experiment.asText());
                    }
                }
            }
            experiments.requireGrantsFor(caller, named);
        }
        if (name != null) {
            experiments.requireGrantsFor(caller, experimentsOf(name));
        }
    }

    /** The experiments a game day runs, for callers checking grants; empty when there is no such game day. */
    @Transactional
    List<String> experimentsOf(String name) {
        return StoredGameDay.<StoredGameDay> findByIdOptional(name).map(day -> read(day).experiments()).orElse(List.of());
    }

    /** The people who may record findings and actions: the participants and the creator. */
    @Transactional
    public Set<String> people(String name) {
        StoredGameDay day = stored(name);
        Set<String> people = new java.util.HashSet<>(read(day).participants());
        people.add(day.createdBy);
        return people;
    }

    /** Fails unless {@code actor} may record findings and actions on game day {@code name}: a participant, its creator, or an admin. */
    @Transactional
    void requirePerson(String name, String actor, boolean admin) {
        if (!admin && !people(name).contains(actor)) {
            throw new dev.faultline.PolicyDeniedException(actor + " is not a participant of game day " + name);
        }
    }

    @Transactional
    void create(JsonNode document, String actor) {
        String name = document != null && document.hasNonNull("name") ? document.get("name").asText() : null;
        if (name != null && StoredGameDay.findById(name) != null) {
            throw new ResourceConflictException("game day " + name + " exists; change it with PUT /api/v1/gamedays/" + name);
        }
        put(null, document, actor);
    }

    /**
     * Creates or changes a game day that has not started: true when created. A change to an
     * approved one takes its approval back — what was approved is no longer what would run.
     */
    @Transactional
    boolean put(String pathName, JsonNode document, String actor) {
        GameDaySpec spec = GameDaySpec.read(document, pathName);
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < spec.steps().size(); i++) {
            for (String experiment : spec.steps().get(i).experiments()) {
                if (experiments.find(experiment).isEmpty()) {
                    errors.add(new FieldError("steps[" + i + "]", "no experiment is named " + experiment));
                }
            }
        }
        for (int i = 0; i < spec.participants().size(); i++) {
            if (users.find(spec.participants().get(i)).isEmpty()) {
                errors.add(new FieldError("participants[" + i + "]", "no user is named " + spec.participants().get(i)));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
        Instant now = clock.instant();
        StoredGameDay day = StoredGameDay.findById(spec.name());
        boolean created = day == null;
        if (created) {
            day = new StoredGameDay();
            day.name = spec.name();
            day.createdAt = now;
            day.createdBy = actor;
        } else if (!Set.of(State.PLANNED.name(), State.APPROVED.name()).contains(day.state)) {
            throw new ResourceConflictException("game day " + spec.name() + " is " + day.state + "; only a planned one can change");
        }
        day.document = written(document, spec.name());
        day.state = State.PLANNED.name();
        day.reason = created ? "awaiting approval" : day.approvedBy != null ? "changed after approval; awaiting approval again"
                : "awaiting approval";
        day.approvedAt = null;
        day.approvedBy = null;
        day.updatedAt = now;
        day.updatedBy = actor;
        day.persist();
        trigger(spec);
        return created;
    }

    @Transactional
    void delete(String name) {
        StoredGameDay day = stored(name);
        if (State.RUNNING.name().equals(day.state)) {
            throw new ResourceConflictException("game day " + name + " is running; cancel it first");
        }
        StoredGameDayNote.delete("gameDay", name);
        StoredGameDayRun.delete("gameDay", name);
        day.delete();
        unschedule(name);
    }

    /** Approves a planned game day; never by whoever created or last changed it. */
    @Transactional
    GameDayView approve(String name, String actor) {
        StoredGameDay day = stored(name);
        if (actor.equals(day.createdBy) || actor.equals(day.updatedBy)) {
            throw new PolicyDeniedException("four eyes: " + actor + (actor.equals(day.createdBy) ? " created" : " last changed")
                    + " game day " + name + "; another approver must approve it");
        }
        if (!State.PLANNED.name().equals(day.state)) {
            throw new ResourceConflictException("game day " + name + " is " + day.state + "; only a planned one can be approved");
        }
        day.state = State.APPROVED.name();
        day.reason = "approved by " + actor;
        day.approvedBy = actor;
        day.approvedAt = clock.instant();
        return view(day);
    }

    /** Starts an approved game day now, on this instance. */
    GameDayView start(String name, String actor) {
        String state = state(name);
        if (State.PLANNED.name().equals(state)) {
            throw new ResourceConflictException("game day " + name + " is not approved: an approver other than whoever created or "
                    + "last changed it must approve it first");
        }
        if (!claim(name, actor)) {
            throw new ResourceConflictException("game day " + name + " is " + state(name) + "; only an approved one can start");
        }
        unschedule(name);
        executor.execute(() -> execute(name));
        return find(name).orElseThrow();
    }

    /** The start fire of a game day, on whichever instance Quartz gave it to. */
    @ActivateRequestContext
    void fire(String name, Instant scheduledFor) {
        String state;
        try {
            state = state(name);
        } catch (ResourceNotFoundException gone) {
            return;
        }
        if (State.PLANNED.name().equals(state)) {
            end(name, State.CANCELLED, "not approved by its start time " + scheduledFor);
        } else if (State.APPROVED.name().equals(state)) {
            Duration late = Duration.between(scheduledFor, clock.instant());
            if (late.compareTo(LATE) > 0) {
                end(name, State.CANCELLED, "missed its start time by " + late.toMinutes() + " min; start it by hand if still wanted");
            } else if (claim(name, "its start time")) {
                executor.execute(() -> execute(name));
            }
        }
    }

    /**
     * Cancels a game day: before it runs, or while it runs. It is marked CANCELLED first (so no
     * further step starts), then its live runs are aborted together, from whichever instance carries
     * them out (their rules are out of the mesh before this returns); a run that could not be aborted
     * is named in the game day's reason.
     */
    GameDayView cancel(String name, String actor) {
        String state = state(name);
        if (!Set.of(State.PLANNED.name(), State.APPROVED.name(), State.RUNNING.name()).contains(state)) {
            throw new ResourceConflictException("game day " + name + " has ended " + state);
        }
        end(name, State.CANCELLED, "cancelled by " + actor);
        unschedule(name);
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> aborts = new ArrayList<>();
        for (String runId : liveRuns(name)) {
            aborts.add(Thread.ofVirtual().start(() -> {
                try {
                    engine.abort(runId, "game day " + name + " cancelled by " + actor, actor);
                } catch (ResourceConflictException alreadyEnded) {
                    // it ended by itself meanwhile
                } catch (RuntimeException e) {
                    LOG.warnf("Could not abort run %s of game day %s: %s", runId, name, e.getMessage());
                    problems.add("run " + runId + " could not be aborted: " + e.getMessage());
                }
            }));
        }
        for (Thread abort : aborts) {
            try {
                abort.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!problems.isEmpty()) {
            amendReason(name, "cancelled by " + actor + "; " + String.join("; ", problems));
        }
        return find(name).orElseThrow();
    }

    @Transactional
    GameDayView.Finding addFinding(String name, String text, String author) {
        StoredGameDayNote note = note(name, "FINDING", text, author);
        return new GameDayView.Finding(note.id, note.text, note.author, note.at);
    }

    @Transactional
    GameDayView.Action addAction(String name, String text, String owner, LocalDate due, String author) {
        StoredGameDayNote note = note(name, "ACTION", text, author);
        note.owner = owner;
        note.due = due;
        return action(note);
    }

    @Transactional
    GameDayView.Action setDone(String name, long id, boolean done) {
        StoredGameDayNote note = StoredGameDayNote.<StoredGameDayNote> find("id = ?1 and gameDay = ?2 and kind = 'ACTION'", id, name)
                .firstResultOptional().orElseThrow(() -> new ResourceNotFoundException("game day " + name + " has no action " + id));
        note.done = done;
        return action(note);
    }

    private StoredGameDayNote note(String name, String kind, String text, String author) {
        stored(name);
        if (text == null || text.isBlank() || text.length() > 4000) {
            throw new InvalidDocumentException(List.of(new FieldError("text", "is required: 1 to 4000 characters")));
        }
        StoredGameDayNote note = new StoredGameDayNote();
        note.gameDay = name;
        note.kind = kind;
        note.text = text.strip();
        note.author = author;
        note.at = clock.instant();
        note.persist();
        return note;
    }

    /**
     * Beats for the game days this instance runs, and ends those whose instance stopped beating
     * (their runs are ended by the runs' own owner-lost check). Every instance does this.
     */
    @Scheduled(every = "${faultline.run.heartbeat-interval:PT2S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            delayed = "${faultline.run.heartbeat-interval:PT2S}", executeWith = Scheduled.SIMPLE)
    @Transactional
    void beat() {
        Instant now = clock.instant();
        StoredGameDay.update("heartbeatAt = ?1 where owner = ?2 and state = 'RUNNING'", now, instance.id());
        Instant stale = now.minus(runConfig.ownerTimeout());
        StoredGameDay.update("state = 'FAILED', reason = 'owner lost: instance ' || owner || ' stopped while running it', endedAt = ?1 "
                + "where state = 'RUNNING' and owner <> ?2 and heartbeatAt < ?3", now, instance.id(), stale);
    }

    // ---- running ------------------------------------------------------------------------------

    @ActivateRequestContext
    void execute(String name) {
        try {
            GameDaySpec spec = spec(name);
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < spec.steps().size(); i++) {
                if (!State.RUNNING.name().equals(state(name))) {
                    return; // cancelled
                }
                GameDaySpec.Step step = spec.steps().get(i);
                Optional<String> failure = runStep(name, i, step);
                if (failure.isPresent()) {
                    failures.add(failure.get());
                    if (!step.continueOnFailure()) {
                        int left = spec.steps().size() - i - 1;
                        end(name, State.FAILED, String.join("; ", failures) + (left == 0 ? "" : "; the " + left
                                + (left == 1 ? " step after it was" : " steps after it were") + " not run"));
                        return;
                    }
                }
            }
            end(name, failures.isEmpty() ? State.COMPLETED : State.FAILED,
                    failures.isEmpty() ? "every step completed" : String.join("; ", failures) + "; every step ran (continueOnFailure)");
        } catch (RuntimeException e) {
            LOG.errorf(e, "Game day %s failed", name);
            end(name, State.FAILED, "error: " + e.getMessage());
        }
    }

    /** Starts the step's experiments together and waits for all; why the step failed, or empty. */
    private Optional<String> runStep(String name, int index, GameDaySpec.Step step) {
        List<Long> rows = new ArrayList<>();
        List<String> runIds = new ArrayList<>();
        for (String experiment : step.experiments()) {
            Optional<SavedExperiment> saved = experiments.find(experiment);
            String runId = null;
            String detail = null;
            if (saved.isEmpty()) {
                detail = "experiment " + experiment + " does not exist any more";
            } else {
                try {
                    runId = runs.fire(Caller.Via.GAMEDAY, "gameday:" + name, saved.get()).id();
                } catch (RuntimeException e) {
                    detail = "could not start: " + e.getMessage();
                }
            }
            rows.add(record(name, index, experiment, runId, runId == null ? "NOT_STARTED" : null, detail));
            runIds.add(runId);
        }
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < runIds.size(); i++) {
            String experiment = step.experiments().get(i);
            if (runIds.get(i) == null) {
                failed.add(experiment + " was not started");
                continue;
            }
            Run ended = awaitEnd(runIds.get(i));
            finishRecord(rows.get(i), ended.state().name(), ended.reason());
            if (ended.state() != RunState.COMPLETED) {
                failed.add(experiment + " ended " + ended.state() + (ended.reason() == null ? "" : " (" + ended.reason() + ")"));
            }
        }
        return failed.isEmpty() ? Optional.empty() : Optional.of("step " + (index + 1) + ": " + String.join(", ", failed));
    }

    private Run awaitEnd(String runId) {
        while (true) {
            Run run = engine.await(runId, Duration.ofMinutes(1));
            if (run.state().isTerminal()) {
                return run;
            }
        }
    }

    @Transactional(TxType.REQUIRES_NEW)
    long record(String name, int step, String experiment, String runId, String outcome, String detail) {
        StoredGameDayRun row = new StoredGameDayRun();
        row.gameDay = name;
        row.step = step;
        row.experiment = experiment;
        row.runId = runId;
        row.outcome = outcome;
        row.detail = detail;
        row.persist();
        return row.id;
    }

    @Transactional(TxType.REQUIRES_NEW)
    void finishRecord(long id, String outcome, String detail) {
        StoredGameDayRun.update("outcome = ?1, detail = ?2 where id = ?3", outcome, detail, id);
    }

    @Transactional(TxType.REQUIRES_NEW)
    List<String> liveRuns(String name) {
        return StoredGameDayRun.<StoredGameDayRun> list("gameDay = ?1 and runId is not null and outcome is null", name).stream()
                .map(row -> row.runId).toList();
    }

    /** APPROVED → RUNNING on this instance; false when it was not approved (or another instance took it). */
    @Transactional(TxType.REQUIRES_NEW)
    boolean claim(String name, String by) {
        Instant now = clock.instant();
        return StoredGameDay.update("state = 'RUNNING', reason = ?1, startedAt = ?2, owner = ?3, heartbeatAt = ?2 "
                + "where name = ?4 and state = 'APPROVED'", "started by " + by, now, instance.id(), name) == 1;
    }

    @Transactional(TxType.REQUIRES_NEW)
    void end(String name, State state, String reason) {
        StoredGameDay.update("state = ?1, reason = ?2, endedAt = ?3 where name = ?4 and state in ('PLANNED', 'APPROVED', 'RUNNING')",
                state.name(), reason, clock.instant(), name);
        LOG.infof("Game day %s ended %s: %s", name, state, reason);
    }

    @Transactional(TxType.REQUIRES_NEW)
    void amendReason(String name, String reason) {
        StoredGameDay.update("reason = ?1 where name = ?2", reason, name);
    }

    @Transactional(TxType.REQUIRES_NEW)
    String state(String name) {
        return stored(name).state;
    }

    @Transactional(TxType.REQUIRES_NEW)
    GameDaySpec spec(String name) {
        return read(stored(name));
    }

    // ---- Quartz -------------------------------------------------------------------------------

    private void trigger(GameDaySpec spec) {
        JobDetail job = JobBuilder.newJob(GameDayJob.class).withIdentity(spec.name(), GROUP)
                .withDescription("start of game day " + spec.name()).build();
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(spec.name(), GROUP).forJob(job)
                .startAt(Date.from(spec.startAt().isBefore(clock.instant()) ? clock.instant() : spec.startAt()))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow()).build();
        try {
            quartz.scheduleJob(job, Set.of(trigger), true);
        } catch (SchedulerException e) {
            throw new IllegalStateException("Quartz refused: " + e.getMessage(), e);
        }
    }

    private void unschedule(String name) {
        try {
            quartz.deleteJob(JobKey.jobKey(name, GROUP));
        } catch (SchedulerException e) {
            LOG.warnf("Could not remove the start trigger of game day %s: %s", name, e.getMessage());
        }
    }

    // ---- views --------------------------------------------------------------------------------

    private GameDayView view(StoredGameDay day) {
        GameDaySpec spec = read(day);
        JsonNode document = parse(day.document);
        List<GameDayView.StepRun> progress = StoredGameDayRun.<StoredGameDayRun> list("gameDay", io.quarkus.panache.common.Sort
                .ascending("step", "id"), day.name).stream()
                .map(r -> new GameDayView.StepRun(r.step + 1, r.experiment, r.runId, r.outcome == null ? "RUNNING" : r.outcome, r.detail))
                .toList();
        List<StoredGameDayNote> notes = StoredGameDayNote.list("gameDay", io.quarkus.panache.common.Sort.ascending("id"), day.name);
        return new GameDayView(day.name, spec.title(), spec.description(), spec.startAt(), spec.timeZone().getId(), spec.participants(),
                document.get("steps"), day.state, day.reason, day.approvedBy == null ? null : new GameDayView.Approval(day.approvedBy,
                        day.approvedAt), day.startedAt, day.endedAt, progress,
                notes.stream().filter(n -> n.kind.equals("FINDING")).map(n -> new GameDayView.Finding(n.id, n.text, n.author, n.at)).toList(),
                notes.stream().filter(n -> n.kind.equals("ACTION")).map(GameDayService::action).toList(),
                new GameDayView.Status(day.createdAt, day.createdBy, day.updatedAt, day.updatedBy));
    }

    private static GameDayView.Action action(StoredGameDayNote note) {
        return new GameDayView.Action(note.id, note.text, note.owner, note.due, note.done, note.author, note.at);
    }

    private StoredGameDay stored(String name) {
        return StoredGameDay.<StoredGameDay> findByIdOptional(name)
                .orElseThrow(() -> new ResourceNotFoundException("game day " + name + " does not exist"));
    }

    private GameDaySpec read(StoredGameDay day) {
        return GameDaySpec.read(parse(day.document), day.name);
    }

    private static String written(JsonNode document, String name) {
        ObjectNode copy = document.deepCopy();
        copy.remove(List.of("state", "reason", "approval", "progress", "findings", "actions", "status"));
        copy.put("name", name);
        return copy.toString();
    }

    private JsonNode parse(String document) {
        try {
            return json.readTree(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored game day is not JSON", e);
        }
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }
}

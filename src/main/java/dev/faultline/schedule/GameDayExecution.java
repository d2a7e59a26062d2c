package dev.faultline.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
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

import dev.faultline.ResourceConflictException;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.SavedExperiment;
import dev.faultline.run.Instance;
import dev.faultline.run.Run;
import dev.faultline.run.RunConfig;
import dev.faultline.run.RunEngine;
import dev.faultline.run.RunService;
import dev.faultline.run.RunState;
import dev.faultline.schedule.GameDayService.State;
import dev.faultline.security.Authors;
import dev.faultline.security.Caller;
import io.quarkus.scheduler.Scheduled;

/**
 * Game days running: claimed (APPROVED → RUNNING) by the instance that starts them, at their time
 * or by hand, then carried out there step by step, each step's experiments in parallel. That
 * instance beats for them; should it stop, another instance ends them. Every ending — completed,
 * failed, cancelled, missed, owner lost — is a guarded update from a live state.
 */
@ApplicationScoped
class GameDayExecution {

    private static final Logger LOG = Logger.getLogger(GameDayExecution.class);
    /** A game day whose start fire comes later than this (every instance was down) is not started any more. */
    private static final Duration LATE = Duration.ofMinutes(15);

    private final ExperimentService experiments;
    private final RunEngine engine;
    private final RunService runs;
    private final GameDayPlans plans;
    private final GameDayApproval approval;
    private final Instance instance;
    private final RunConfig runConfig;
    private final Clock clock;
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("game-day-", 0).factory());

    GameDayExecution(ExperimentService experiments, RunEngine engine, RunService runs, GameDayPlans plans, GameDayApproval approval,
            Instance instance, RunConfig runConfig, Clock clock) {
        this.experiments = experiments;
        this.engine = engine;
        this.runs = runs;
        this.plans = plans;
        this.approval = approval;
        this.instance = instance;
        this.runConfig = runConfig;
        this.clock = clock;
    }

    /**
     * Starts an approved game day now, on this instance. One whose approval no longer covers what it
     * would run (an experiment changed since) awaits approval again instead, and is refused naming it.
     */
    void start(String name, String actor) {
        claimOrRefuse(name, actor);
        plans.unschedule(name);
        executor.execute(() -> execute(name));
    }

    /** As {@link #start}, when its start time has come (its trigger, which fires once, is firing). */
    void startOnTime(String name) {
        claimOrRefuse(name, "its start time");
        executor.execute(() -> execute(name));
    }

    private void claimOrRefuse(String name, String by) {
        Optional<String> refused = claim(name, by);
        if (refused.isPresent()) {
            throw new ResourceConflictException(refused.get());
        }
    }

    /**
     * At a game day's start time (its Quartz fire, on whichever instance took it): true when it is
     * approved and its fire is on time, so that it is to start now. One not approved by then, or whose
     * fire came too late, is cancelled saying why.
     */
    @ActivateRequestContext
    boolean dueAt(String name, Instant scheduledFor) {
        State state;
        try {
            state = state(name);
        } catch (ResourceNotFoundException gone) {
            return false;
        }
        if (state == State.PLANNED) {
            cancelUnapproved(name, scheduledFor);
            return false;
        }
        Duration late = Duration.between(scheduledFor, clock.instant());
        if (state == State.APPROVED && late.compareTo(LATE) > 0) {
            end(name, State.CANCELLED, "missed its start time by " + late.toMinutes() + " min; start it by hand if still wanted");
            return false;
        }
        return state == State.APPROVED;
    }

    /** Cancels a game day still awaiting approval at its start time; its reason keeps why it awaited it (an experiment changed). */
    @Transactional(TxType.REQUIRES_NEW)
    void cancelUnapproved(String name, Instant scheduledFor) {
        StoredGameDay.<StoredGameDay> findByIdOptional(name).filter(day -> day.state == State.PLANNED).ifPresent(day ->
                endFrom(Set.of(State.PLANNED), name, State.CANCELLED, "not approved by its start time " + scheduledFor
                        + (day.reason == null || day.reason.equals(GameDayApproval.AWAITING) ? "" : " (" + day.reason + ")")));
    }

    /**
     * Cancels a game day: before it runs, or while it runs. It is marked CANCELLED first (so no
     * further step starts), then its live runs are aborted together, from whichever instance carries
     * them out (their rules are out of the mesh before this returns); a run that could not be aborted
     * is named in the game day's reason.
     */
    void cancel(String name, String actor) {
        State state = state(name);
        if (!State.LIVE.contains(state)) {
            throw new ResourceConflictException("game day " + name + " has ended " + state);
        }
        end(name, State.CANCELLED, "cancelled by " + actor);
        plans.unschedule(name);
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
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
        StoredGameDay.update("heartbeatAt = ?1 where owner = ?2 and state = ?3", now, instance.id(), State.RUNNING);
        Instant stale = now.minus(runConfig.ownerTimeout());
        StoredGameDay.update("state = ?4, reason = 'owner lost: instance ' || owner || ' stopped while running it', endedAt = ?1 "
                + "where state = ?5 and owner <> ?2 and heartbeatAt < ?3", now, instance.id(), stale, State.FAILED, State.RUNNING);
    }

    @ActivateRequestContext
    void execute(String name) {
        try {
            Approved approved = approved(name);
            GameDaySpec spec = approved.spec();
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < spec.steps().size(); i++) {
                if (state(name) != State.RUNNING) {
                    return; // cancelled
                }
                GameDaySpec.Step step = spec.steps().get(i);
                Optional<String> failure = runStep(name, i, step, approved);
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

    /**
     * Starts the step's experiments together, each at the revision approved, for the game day's
     * authors, and waits for all; why the step failed, or empty.
     */
    private Optional<String> runStep(String name, int index, GameDaySpec.Step step, Approved approved) {
        List<Long> rows = new ArrayList<>();
        List<String> runIds = new ArrayList<>();
        for (String experiment : step.experiments()) {
            Integer revision = approved.revisions().get(experiment);
            Optional<SavedExperiment> saved = revision == null ? Optional.empty() : experiments.findToRun(experiment, revision);
            String runId = null;
            String detail = null;
            if (saved.isEmpty()) {
                detail = revision == null ? "experiment " + experiment + " has no approved revision"
                        : "experiment " + experiment + " does not exist any more";
            } else {
                try {
                    runId = runs.fire(Caller.Via.GAMEDAY, "gameday:" + name, approved.authors(), saved.get()).id();
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

    /**
     * APPROVED → RUNNING on this instance, as long as the approval still covers the revisions it would
     * run (else it is taken back); why it did not start, or empty when it did.
     */
    @Transactional(TxType.REQUIRES_NEW)
    Optional<String> claim(String name, String by) {
        StoredGameDay day = StoredGameDay.named(name);
        if (day.state == State.APPROVED) {
            Optional<String> changed = approval.changedSince(day);
            if (changed.isPresent()) {
                approval.takeBack(name, changed.get());
                return Optional.of("game day " + name + " is not approved any more: " + changed.get()
                        + "; an approver must approve it again");
            }
            if (StoredGameDay.update("state = ?5, reason = ?1, startedAt = ?2, owner = ?3, heartbeatAt = ?2 where name = ?4 and state = ?6",
                    "started by " + by, clock.instant(), instance.id(), name, State.RUNNING, State.APPROVED) == 1) {
                return Optional.empty();
            }
            StoredGameDay.getEntityManager().refresh(day);
        }
        if (day.state == State.PLANNED) {
            return Optional.of("game day " + name + " is not approved: " + day.reason + "; an approver other than whoever created or "
                    + "last changed it must approve it first");
        }
        return Optional.of("game day " + name + " is " + day.state + "; only an approved one can start");
    }

    /** Ends a game day that has not ended yet; one that has keeps its ending. */
    @Transactional(TxType.REQUIRES_NEW)
    void end(String name, State state, String reason) {
        endFrom(State.LIVE, name, state, reason);
    }

    private void endFrom(Set<State> from, String name, State state, String reason) {
        if (StoredGameDay.update("state = ?1, reason = ?2, endedAt = ?3 where name = ?4 and state in ?5", state, reason, clock.instant(),
                name, from) == 1) {
            LOG.infof("Game day %s ended %s: %s", name, state, reason);
        }
    }

    @Transactional(TxType.REQUIRES_NEW)
    void amendReason(String name, String reason) {
        StoredGameDay.update("reason = ?1 where name = ?2", reason, name);
    }

    @Transactional(TxType.REQUIRES_NEW)
    State state(String name) {
        return StoredGameDay.named(name).state;
    }

    /** What a started game day runs: its plan, the revisions approved, and whom its runs are started for. */
    record Approved(GameDaySpec spec, Map<String, Integer> revisions, List<Authors.Author> authors) {
    }

    @Transactional(TxType.REQUIRES_NEW)
    Approved approved(String name) {
        StoredGameDay day = StoredGameDay.named(name);
        return new Approved(day.spec(), day.approvedRevisions(), day.authors());
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }
}

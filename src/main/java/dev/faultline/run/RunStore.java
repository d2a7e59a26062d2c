package dev.faultline.run;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

import org.hibernate.Session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.RuleRef;
import io.quarkus.panache.common.Sort;

/**
 * Runs in PostgreSQL. Every change is its own short transaction, committed before the engine acts
 * on it, so that what the database says a run did is never behind what it did.
 */
@ApplicationScoped
@Transactional(TxType.REQUIRES_NEW)
public class RunStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Clock clock;

    RunStore(Clock clock) {
        this.clock = clock;
    }

    void create(StoredRun run) {
        run.persist();
    }

    /** Moves the run to {@code state} and records why in its timeline; a terminal state also sets verdict, reason and end. */
    void transition(String id, RunState state, String message) {
        StoredRun run = StoredRun.findById(id);
        if (run.state.isTerminal()) {
            return;
        }
        Instant now = clock.instant();
        run.state = state;
        if (state == RunState.PRECHECK) {
            run.startedAt = now;
        }
        if (state.isTerminal()) {
            run.verdict = state;
            run.reason = message;
            run.endedAt = now;
        }
        append(run.id, state.name(), message, now);
    }

    void event(String runId, String type, String message) {
        append(runId, type, message, clock.instant());
    }

    /** Records an event that happened at {@code at} (the timeline is in time order). */
    void event(String runId, String type, String message, Instant at) {
        append(runId, type, message, at);
    }

    private static void append(String runId, String type, String message, Instant at) {
        StoredEvent event = new StoredEvent();
        event.runId = runId;
        event.at = at;
        event.type = type;
        event.message = message;
        event.persist();
    }

    void ruleApplied(String runId, RuleRef rule) {
        StoredRule stored = new StoredRule();
        stored.runId = runId;
        stored.kind = rule.kind();
        stored.namespace = rule.namespace();
        stored.name = rule.resource();
        stored.route = rule.route();
        stored.dedicated = rule.dedicated();
        stored.appliedAt = rule.appliedAt() != null ? rule.appliedAt() : clock.instant();
        stored.persist();
    }

    /** Marks the rule removed at {@code at} (when the API server acknowledged it) and says so in the timeline. */
    void ruleRemoved(String runId, String route, Instant at, String message) {
        StoredRule.update("removedAt = ?1 where runId = ?2 and route = ?3 and removedAt is null", at, runId, route);
        append(runId, "RULE_REMOVED", message, at);
    }


    /**
     * What the kill switch did, in one transaction and two JDBC batches: the runs it aborted, and the
     * rules it removed of runs Faultline knows (a rule of an unknown run has nothing to be recorded on).
     */
    void halted(List<String> abortedRuns, String reason, Instant at, List<FaultInjector.Removed> removed) {
        List<String> runIds = removed.stream().map(gone -> gone.rule().runId()).distinct().toList();
        Set<String> known = runIds.isEmpty() ? Set.of()
                : Set.copyOf(StoredRun.getEntityManager().createQuery("select r.id from StoredRun r where r.id in :ids", String.class)
                        .setParameter("ids", runIds).getResultList());
        StoredRun.getEntityManager().unwrap(Session.class).doWork(connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "update run_rule set removed_at = ? where run_id = ? and route = ? and removed_at is null");
                    PreparedStatement event = connection.prepareStatement("insert into run_event (run_id, at, type, message) values (?, ?, ?, ?)")) {
                for (String runId : abortedRuns) {
                    addEvent(event, runId, at, "ABORT", reason);
                }
                for (FaultInjector.Removed gone : removed) {
                    RuleRef rule = gone.rule();
                    if (known.contains(rule.runId())) {
                        update.setObject(1, gone.at().atOffset(ZoneOffset.UTC));
                        update.setString(2, rule.runId());
                        update.setString(3, rule.route());
                        update.addBatch();
                        addEvent(event, rule.runId(), gone.at(), "RULE_REMOVED", rule.route() + " removed from " + rule.namespace()
                                + "/" + rule.resource() + " by the kill switch");
                    }
                }
                update.executeBatch();
                event.executeBatch();
            }
        });
    }

    private static void addEvent(PreparedStatement insert, String runId, Instant at, String type, String message) throws SQLException {
        insert.setString(1, runId);
        insert.setObject(2, at.atOffset(ZoneOffset.UTC));
        insert.setString(3, type);
        insert.setString(4, message);
        insert.addBatch();
    }

    void needsCleanup(String runId, boolean needed) {
        StoredRun.update("needsCleanup = ?1 where id = ?2", needed, runId);
    }

    /** Stores check samples in one transaction and one JDBC batch. */
    void samples(List<SampleRecorder.Pending> samples) {
        StoredSample.getEntityManager().unwrap(Session.class).doWork(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("insert into run_sample "
                    + "(run_id, check_path, phase, at, value, passed, threshold, reason) values (?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (SampleRecorder.Pending sample : samples) {
                    insert.setString(1, sample.runId());
                    insert.setString(2, sample.checkPath());
                    insert.setString(3, sample.phase());
                    insert.setObject(4, sample.at().atOffset(ZoneOffset.UTC));
                    insert.setObject(5, sample.value(), Types.DOUBLE);
                    insert.setBoolean(6, sample.passed());
                    insert.setString(7, sample.threshold());
                    insert.setString(8, sample.reason());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        });
    }

    /** Other runs, not yet ended, on the same service. */
    List<String> liveOnTarget(String namespace, String service, String except) {
        return StoredRun.<StoredRun> list("endedAt is null and targetNamespace = ?1 and targetService = ?2 and id <> ?3", namespace,
                service, except).stream().map(run -> run.id).toList();
    }

    List<String> liveRunsOwnedBy(String owner) {
        return StoredRun.<StoredRun> list("endedAt is null and owner = ?1", owner).stream().map(run -> run.id).toList();
    }

    /** Live runs of other instances whose owner has not beaten since {@code before}. */
    List<String> orphanedRuns(String owner, Instant before) {
        return StoredRun.<StoredRun> list("endedAt is null and owner <> ?1 and heartbeatAt < ?2", owner, before).stream()
                .map(run -> run.id).toList();
    }

    /**
     * Takes over an orphaned run, unless another instance took it first or its owner beat again:
     * true when this instance now owns it (and only then should end it).
     */
    boolean claimOrphan(String runId, String owner, Instant staleBefore) {
        return StoredRun.update("owner = ?1, heartbeatAt = ?2 where id = ?3 and owner <> ?1 and heartbeatAt < ?4 and endedAt is null",
                owner, clock.instant(), runId, staleBefore) == 1;
    }

    void heartbeat(String owner) {
        StoredRun.update("heartbeatAt = ?1 where owner = ?2 and endedAt is null", clock.instant(), owner);
    }

    /** The run's state, or empty when Faultline has no such run. */
    @Transactional(TxType.REQUIRED)
    Optional<RunState> state(String id) {
        return StoredRun.<StoredRun> findByIdOptional(id).map(run -> run.state);
    }

    @Transactional(TxType.REQUIRED)
    public Optional<Run> find(String id) {
        return StoredRun.<StoredRun> findByIdOptional(id).map(run -> toRun(run, true));
    }

    @Transactional(TxType.REQUIRED)
    public List<Run> list(Optional<String> experiment, Optional<RunState> state, int limit) {
        StringBuilder query = new StringBuilder("1 = 1");
        io.quarkus.panache.common.Parameters parameters = new io.quarkus.panache.common.Parameters();
        experiment.ifPresent(name -> {
            query.append(" and experiment = :experiment");
            parameters.and("experiment", name);
        });
        state.ifPresent(value -> {
            query.append(" and state = :state");
            parameters.and("state", value);
        });
        return StoredRun.<StoredRun> find(query.toString(), Sort.descending("createdAt"), parameters).page(0, limit).list()
                .stream().map(run -> toRun(run, false)).toList();
    }

    @Transactional(TxType.REQUIRED)
    public List<Run.Sample> samples(String runId) {
        return StoredSample.<StoredSample> list("runId", Sort.ascending("id"), runId).stream()
                .map(RunStore::toSample).toList();
    }

    /** The newest sample of each check of a run (one row per check, read by the index, however long the run has been going). */
    @Transactional(TxType.REQUIRED)
    public List<Run.Sample> latestSamples(String runId) {
        return StoredSample.<StoredSample> list("id in (select max(t.id) from StoredSample t where t.runId = ?1 group by t.checkPath)",
                Sort.ascending("checkPath"), runId).stream().map(RunStore::toSample).toList();
    }

    private static Run.Sample toSample(StoredSample s) {
        return new Run.Sample(s.checkPath, s.phase, s.at, s.value, s.passed, s.threshold, s.reason);
    }

    @Transactional(TxType.REQUIRED)
    public Run.Halt halt() {
        StoredHalt halt = StoredHalt.findById(1);
        return new Run.Halt(halt.halted, halt.reason, halt.changedBy, halt.changedAt);
    }

    void setHalt(boolean halted, String reason, String actor) {
        StoredHalt halt = StoredHalt.findById(1);
        halt.halted = halted;
        halt.reason = reason;
        halt.changedBy = actor;
        halt.changedAt = clock.instant();
    }

    /** Rules of the run not yet removed. */
    @Transactional(TxType.REQUIRED)
    List<RuleRef> liveRules(String runId) {
        return StoredRule.<StoredRule> list("runId = ?1 and removedAt is null", runId).stream()
                .map(rule -> new RuleRef(rule.runId, rule.kind, rule.namespace, rule.name, rule.route, rule.dedicated, rule.appliedAt))
                .toList();
    }

    private static Run toRun(StoredRun run, boolean withDocument) {
        List<Run.Rule> rules = StoredRule.<StoredRule> list("runId", Sort.ascending("id"), run.id).stream()
                .map(rule -> new Run.Rule(rule.kind, rule.namespace, rule.name, rule.route, rule.appliedAt, rule.removedAt)).toList();
        List<Run.TimelineEntry> timeline = StoredEvent.<StoredEvent> list("runId", Sort.ascending("at", "id"), run.id).stream()
                .map(event -> new Run.TimelineEntry(event.at, event.type, event.message)).toList();
        try {
            return new Run(run.id, run.experiment, run.revision, run.state, run.verdict, run.reason, run.startedBy, run.createdAt,
                    run.startedAt, run.endedAt, run.needsCleanup, rules, timeline, withDocument ? JSON.readTree(run.document) : null);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("run " + run.id + " has an unreadable document", e);
        }
    }
}

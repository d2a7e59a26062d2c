package dev.faultline.run;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

import org.hibernate.Session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.faultline.Cursor;
import dev.faultline.PageRequest;
import dev.faultline.experiment.spec.CredentialHeaders;
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
        run.epoch = 1;
        run.persist();
        append(run.id, TimelineKind.PENDING, "started by " + run.startedBy + " (revision " + run.revision + ")", run.createdAt);
    }

    /** Refuses (and locks the run's row against a takeover until the transaction ends) unless {@code owner} still holds the run. */
    private static void fence(Ownership owner) {
        if (StoredRun.update("epoch = epoch where id = ?1 and epoch = ?2", owner.runId(), owner.epoch()) != 1) {
            throw new FencedException(owner);
        }
    }

    /**
     * Moves the run to {@code state} at {@code at} and records why in its timeline; a terminal state
     * also sets verdict, reason and end. True when the run is in {@code state} now (also when it already
     * was, by the same move retried); false when it has ended otherwise. A move the lifecycle does not allow is
     * a bug and throws.
     */
    boolean transition(Ownership owner, RunState state, String message, Instant at) {
        fence(owner);
        StoredRun run = StoredRun.findById(owner.runId());
        if (run.state == state && (!state.isTerminal() || java.util.Objects.equals(run.reason, message))) {
            return true; // a retry of a move whose commit went through before its answer was lost
        }
        if (run.state.isTerminal()) {
            return false;
        }
        if (!run.state.canMoveTo(state)) {
            throw new IllegalStateException("run " + run.id + " cannot move from " + run.state + " to " + state);
        }
        run.state = state;
        if (state == RunState.PRECHECK) {
            run.startedAt = at;
        }
        if (state.isTerminal()) {
            run.reason = message;
            run.endedAt = at;
        }
        append(run.id, TimelineKind.of(state), message, at);
        return true;
    }

    /** Records when the steady state held again, {@code seconds} after the last rule was removed. */
    void recovered(Ownership owner, double seconds, Instant holdsAgainAt) {
        fence(owner);
        StoredRun run = StoredRun.findById(owner.runId());
        run.recoveredAt = holdsAgainAt;
        run.recoverySeconds = seconds;
        append(run.id, TimelineKind.RECOVERED, "the steady state holds again, " + Math.round(seconds * 10) / 10.0
                + " s after the rules were removed", holdsAgainAt);
    }

    /** Records an event that happened at {@code at} (the timeline is in time order). */
    void event(Ownership owner, TimelineKind type, String message, Instant at) {
        fence(owner);
        append(owner.runId(), type, message, at);
    }

    private static void append(String runId, TimelineKind type, String message, Instant at) {
        StoredEvent event = new StoredEvent();
        event.runId = runId;
        event.at = at;
        event.type = type;
        event.message = message;
        event.persist();
    }

    void ruleApplied(Ownership owner, RuleRef rule) {
        fence(owner);
        recordRule(owner.runId(), rule);
    }

    private void recordRule(String runId, RuleRef rule) {
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

    /**
     * Marks the rule removed at {@code at} (when the API server acknowledged it) and says so in the
     * timeline, unless its removal is recorded already: by the owner ({@code owner} given, fenced), or
     * by another instance that removed it ({@code owner} null). A rule the run has no record of (its
     * apply's answer was lost) is recorded too.
     */
    void ruleRemoved(Ownership owner, RuleRef rule, Instant at, String message) {
        if (owner != null) {
            fence(owner);
        }
        if (StoredRule.count("runId = ?1 and route = ?2", rule.runId(), rule.route()) == 0) {
            recordRule(rule.runId(), rule);
        }
        if (StoredRule.update("removedAt = ?1 where runId = ?2 and route = ?3 and removedAt is null", at, rule.runId(), rule.route()) > 0) {
            append(rule.runId(), TimelineKind.RULE_REMOVED, message, at);
        }
    }

    /**
     * What the kill switch removed of runs other instances carry out, in one transaction and two JDBC
     * batches (a rule of an unknown run has nothing to be recorded on).
     */
    void halted(List<FaultInjector.Removed> removed) {
        List<String> runIds = removed.stream().map(gone -> gone.rule().runId()).distinct().toList();
        Set<String> known = runIds.isEmpty() ? Set.of()
                : Set.copyOf(StoredRun.getEntityManager().createQuery("select r.id from StoredRun r where r.id in :ids", String.class)
                        .setParameter("ids", runIds).getResultList());
        StoredRun.getEntityManager().unwrap(Session.class).doWork(connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "update run_rule set removed_at = ? where run_id = ? and route = ? and removed_at is null");
                    PreparedStatement event = connection.prepareStatement("insert into run_event (run_id, at, type, message) values (?, ?, ?, ?)")) {
                List<FaultInjector.Removed> recorded = new ArrayList<>();
                for (FaultInjector.Removed gone : removed) {
                    RuleRef rule = gone.rule();
                    if (known.contains(rule.runId())) {
                        update.setObject(1, gone.at().atOffset(ZoneOffset.UTC));
                        update.setString(2, rule.runId());
                        update.setString(3, rule.route());
                        update.addBatch();
                        recorded.add(gone);
                    }
                }
                int[] counts = update.executeBatch();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] > 0 || counts[i] == Statement.SUCCESS_NO_INFO) { // unrecorded so far: the run's own recovery did not get there first
                        RuleRef rule = recorded.get(i).rule();
                        addEvent(event, rule.runId(), recorded.get(i).at(), TimelineKind.RULE_REMOVED, rule.route() + " removed from "
                                + rule.namespace() + "/" + rule.resource() + " by the kill switch");
                    }
                }
                event.executeBatch();
            }
        });
    }

    private static void addEvent(PreparedStatement insert, String runId, Instant at, TimelineKind type, String message)
            throws SQLException {
        insert.setString(1, runId);
        insert.setObject(2, at.atOffset(ZoneOffset.UTC));
        insert.setString(3, type.name());
        insert.setString(4, message);
        insert.addBatch();
    }

    /** A rule of the run could not be removed ({@code needed}), or everything is removed now; with the reason in the timeline. */
    void needsCleanup(Ownership owner, boolean needed, String message, Instant at) {
        fence(owner);
        StoredRun.update("needsCleanup = ?1 where id = ?2", needed, owner.runId());
        if (message != null) {
            append(owner.runId(), TimelineKind.CLEANUP_NEEDED, message, at);
        }
    }

    void cleanedUp(String runId) {
        StoredRun.update("needsCleanup = false where id = ?1", runId);
    }

    /**
     * Stores check samples in one transaction and one JDBC batch; a sample whose writer's epoch has
     * passed (a former owner) is left out.
     */
    void samples(List<SampleRecorder.Pending> samples) {
        StoredSample.getEntityManager().unwrap(Session.class).doWork(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("insert into run_sample "
                    + "(run_id, check_path, phase, at, value, passed, threshold, reason) select ?, ?, ?, ?, ?, ?, ?, ? "
                    + "where exists (select 1 from run where id = ? and epoch = ?)")) {
                for (SampleRecorder.Pending sample : samples) {
                    insert.setString(1, sample.runId());
                    insert.setString(2, sample.checkPath());
                    insert.setString(3, sample.phase());
                    insert.setObject(4, sample.at().atOffset(ZoneOffset.UTC));
                    insert.setObject(5, sample.value(), Types.DOUBLE);
                    insert.setBoolean(6, sample.passed());
                    insert.setString(7, sample.threshold());
                    insert.setString(8, sample.reason());
                    insert.setString(9, sample.runId());
                    insert.setLong(10, sample.epoch());
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

    /** A live run as its owner's heartbeat sees it: its epoch, and the abort another instance asked for, if any. */
    record Owned(String runId, long epoch, String abortReason, Instant createdAt) {
    }

    List<Ownership> liveRunsOwnedBy(String owner) {
        return StoredRun.<StoredRun> list("endedAt is null and owner = ?1", owner).stream()
                .map(run -> new Ownership(run.id, run.epoch)).toList();
    }

    /** Live runs of other instances whose owner has not beaten since {@code before}. */
    List<String> orphanedRuns(String owner, Instant before) {
        return StoredRun.<StoredRun> list("endedAt is null and owner <> ?1 and heartbeatAt < ?2", owner, before).stream()
                .map(run -> run.id).toList();
    }

    /**
     * Takes over an orphaned run, unless another instance took it first or its owner beat again: the
     * ownership this instance now holds, with the next epoch, or empty.
     */
    Optional<Ownership> claimOrphan(String runId, String owner, Instant staleBefore) {
        int claimed = StoredRun.update("owner = ?1, heartbeatAt = ?2, epoch = epoch + 1 "
                + "where id = ?3 and owner <> ?1 and heartbeatAt < ?4 and endedAt is null", owner, clock.instant(), runId, staleBefore);
        if (claimed != 1) {
            return Optional.empty();
        }
        StoredRun run = StoredRun.findById(runId);
        return Optional.of(new Ownership(runId, run.epoch));
    }

    /** Beats for the live runs {@code owner} holds; what they are now, as the database knows them. */
    List<Owned> heartbeat(String owner) {
        StoredRun.update("heartbeatAt = ?1 where owner = ?2 and endedAt is null", clock.instant(), owner);
        return StoredRun.<StoredRun> list("endedAt is null and owner = ?1", owner).stream()
                .map(run -> new Owned(run.id, run.epoch, run.abortReason, run.createdAt)).toList();
    }

    /** Asks the run's owner to abort it; false when it has ended or an abort was asked for already. */
    boolean requestAbort(String runId, String reason) {
        return StoredRun.update("abortRequestedAt = ?1, abortReason = ?2 where id = ?3 and endedAt is null and abortRequestedAt is null",
                clock.instant(), reason, runId) == 1;
    }

    /** What another instance needs to know of a run to abort or end it. */
    record Facts(String id, String experiment, String startedBy, String targetNamespace, RunState state, String owner,
            Instant heartbeatAt, long epoch, String abortReason) {
    }

    @Transactional(TxType.REQUIRED)
    Optional<Facts> facts(String runId) {
        return StoredRun.<StoredRun> findByIdOptional(runId).map(run -> new Facts(run.id, run.experiment, run.startedBy,
                run.targetNamespace, run.state, run.owner, run.heartbeatAt, run.epoch, run.abortReason));
    }

    /** Every namespace a Faultline rule was ever written to. */
    @Transactional(TxType.REQUIRED)
    List<String> namespacesWithRules() {
        return StoredRule.getEntityManager().createQuery("select distinct r.namespace from StoredRule r", String.class).getResultList();
    }

    /** The run's state and epoch, or empty when Faultline has no such run. */
    record StateAndEpoch(RunState state, long epoch) {
    }

    @Transactional(TxType.REQUIRED)
    Optional<StateAndEpoch> state(String id) {
        return StoredRun.<StoredRun> findByIdOptional(id).map(run -> new StateAndEpoch(run.state, run.epoch));
    }

    /** Whether {@code owner} still holds its run. */
    @Transactional(TxType.REQUIRED)
    boolean holds(Ownership owner) {
        return StoredRun.count("id = ?1 and epoch = ?2 and endedAt is null", owner.runId(), owner.epoch()) == 1;
    }

    @Transactional(TxType.REQUIRED)
    public Optional<Run> find(String id) {
        return StoredRun.<StoredRun> findByIdOptional(id).map(run -> toRun(run, true));
    }

    /** Read outside any transaction (a request context of its own when there is none): three queries, no BEGIN or COMMIT. */
    @Transactional(TxType.SUPPORTS)
    @ActivateRequestContext
    public PageRequest.Page<Run> list(Optional<String> experiment, Optional<RunState> state, PageRequest page) {
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
        page.after().ifPresent(after -> {
            query.append(" and (createdAt < :afterAt or (createdAt = :afterAt and id < :afterId))");
            parameters.and("afterAt", after.instant(0)).and("afterId", after.text(1));
        });
        List<StoredRun> found = StoredRun.<StoredRun> find(query.toString(), Sort.descending("createdAt", "id"), parameters)
                .page(0, page.fetch()).list();
        if (found.isEmpty()) {
            return new PageRequest.Page<>(List.of(), Optional.empty());
        }
        Map<String, Run> runs = withRulesAndTimelines(found);
        return page.cut(found, run -> Cursor.of(run.createdAt, run.id), run -> runs.get(run.id));
    }

    /** The runs with their rules and timelines (no documents), in three queries however many runs: the runs, then all their rules, then all their timelines. */
    private static Map<String, Run> withRulesAndTimelines(List<StoredRun> found) {
        List<String> ids = found.stream().map(run -> run.id).toList();
        Map<String, List<StoredRule>> rules = StoredRule.<StoredRule> list("runId in ?1", Sort.ascending("id"), ids).stream()
                .collect(Collectors.groupingBy(rule -> rule.runId));
        Map<String, List<StoredEvent>> events = StoredEvent.<StoredEvent> list("runId in ?1", Sort.ascending("at", "id"), ids).stream()
                .collect(Collectors.groupingBy(event -> event.runId));
        Map<String, Run> runs = new java.util.LinkedHashMap<>();
        found.forEach(run -> runs.put(run.id, toRun(run, rules.getOrDefault(run.id, List.of()), events.getOrDefault(run.id, List.of()), false)));
        return runs;
    }

    /**
     * The runs created since {@code since}, of one experiment or of every experiment targeting one namespace, newest first, at
     * most {@code limit}: with their rules, timelines and findings, in three queries.
     */
    @Transactional(TxType.REQUIRED)
    public List<PastRun> history(Optional<String> experiment, Optional<String> namespace, Instant since, int limit) {
        StringBuilder query = new StringBuilder("createdAt >= :since");
        io.quarkus.panache.common.Parameters parameters = io.quarkus.panache.common.Parameters.with("since", since);
        experiment.ifPresent(name -> {
            query.append(" and experiment = :experiment");
            parameters.and("experiment", name);
        });
        namespace.ifPresent(name -> {
            query.append(" and targetNamespace = :namespace");
            parameters.and("namespace", name);
        });
        List<StoredRun> found = StoredRun.<StoredRun> find(query.toString(), Sort.descending("createdAt", "id"), parameters)
                .page(0, limit).list();
        if (found.isEmpty()) {
            return List.of();
        }
        Map<String, Run> runs = withRulesAndTimelines(found);
        return found.stream().map(run -> new PastRun(runs.get(run.id), run.findings)).toList();
    }

    /** The run's findings as stored (JSON), empty until they are drawn. */
    @Transactional(TxType.REQUIRED)
    public Optional<String> findings(String runId) {
        return StoredRun.<StoredRun> findByIdOptional(runId).map(run -> run.findings);
    }

    /** Stores the run's findings (a JSON array) unless some were stored before; whether these were. */
    @Transactional(TxType.REQUIRED)
    public boolean recordFindings(String runId, String json, Instant at) {
        return StoredRun.getEntityManager().createNativeQuery("update run set findings = cast(?1 as jsonb), findings_drawn_at = ?2 "
                + "where id = ?3 and findings_drawn_at is null").setParameter(1, json).setParameter(2, at).setParameter(3, runId)
                .executeUpdate() == 1;
    }

    /** The state of each experiment's newest run, in one query however many experiments there are. */
    @Transactional(TxType.REQUIRED)
    Map<String, RunState> latestStates() {
        return StoredRun.getEntityManager().createQuery("select r.experiment, r.state from StoredRun r where r.createdAt = "
                + "(select max(o.createdAt) from StoredRun o where o.experiment = r.experiment)", Object[].class)
                .getResultStream().collect(Collectors.toMap(row -> (String) row[0], row -> (RunState) row[1], (first, second) -> first));
    }

    @Transactional(TxType.REQUIRED)
    public List<Run.Sample> samples(String runId) {
        return samples(runId, PageRequest.everything()).items();
    }

    /**
     * A page of the run's samples in the order they were stored (by id, oldest first), starting after the
     * sample the cursor names: a keyset read on the index {@code run_sample (run_id, id)}, limited in SQL.
     */
    @Transactional(TxType.REQUIRED)
    public PageRequest.Page<Run.Sample> samples(String runId, PageRequest page) {
        return page.cut(samplesAfter(runId, page.after().map(cursor -> cursor.number(0)).orElse(0L), page.fetch()),
                sample -> Cursor.of(sample.id), RunStore::toSample);
    }

    private static List<StoredSample> samplesAfter(String runId, long afterId, int limit) {
        return StoredSample.<StoredSample> find("runId = ?1 and id > ?2", Sort.ascending("id"), runId, afterId).page(0, limit).list();
    }

    /** What a {@link RunFollower} reads at a time: the run's row and rules, and its timeline entries and samples after the ids given. */
    record Followed(StoredRun run, List<StoredRule> rules, List<StoredEvent> events, List<StoredSample> samples) {
    }

    /**
     * The run (one row), its rules (a few) and only the timeline entries and samples stored after
     * {@code afterEvent} and {@code afterSample} (keyset reads on their {@code (run_id, id)} indexes), in id
     * order; empty when there is no such run. The run is read first, so a run read as ended comes with
     * every sample it stored (it flushes them before it ends).
     */
    @Transactional(TxType.REQUIRED)
    Optional<Followed> follow(String runId, long afterEvent, long afterSample) {
        return StoredRun.<StoredRun> findByIdOptional(runId).map(run -> new Followed(run,
                StoredRule.<StoredRule> list("runId", Sort.ascending("id"), runId),
                StoredEvent.<StoredEvent> list("runId = ?1 and id > ?2", Sort.ascending("id"), runId, afterEvent),
                samplesAfter(runId, afterSample, Integer.MAX_VALUE)));
    }

    /** The newest sample of each check of a run (one row per check, read by the index, however long the run has been going). */
    @Transactional(TxType.REQUIRED)
    public List<Run.Sample> latestSamples(String runId) {
        return StoredSample.<StoredSample> list("id in (select max(t.id) from StoredSample t where t.runId = ?1 group by t.checkPath)",
                Sort.ascending("checkPath"), runId).stream().map(RunStore::toSample).toList();
    }

    /** The newest sample of each check of each of these runs, by run: one query however many runs. */
    @Transactional(TxType.REQUIRED)
    Map<String, List<Run.Sample>> latestSamples(java.util.Collection<String> runIds) {
        if (runIds.isEmpty()) {
            return Map.of();
        }
        return StoredSample.<StoredSample> list("id in (select max(t.id) from StoredSample t where t.runId in ?1 group by t.runId, t.checkPath)",
                Sort.ascending("runId", "checkPath"), runIds).stream()
                .collect(Collectors.groupingBy(sample -> sample.runId, Collectors.mapping(RunStore::toSample, Collectors.toList())));
    }

    static Run.Sample toSample(StoredSample s) {
        return new Run.Sample(s.checkPath, s.phase, s.at, s.value, s.passed, s.threshold, s.reason);
    }

    @Transactional(TxType.REQUIRED)
    public Run.Halt halt() {
        StoredHalt halt = StoredHalt.findById(1);
        return new Run.Halt(halt.halted, halt.reason, halt.changedBy, halt.changedAt);
    }

    void setHalt(boolean halted, String reason, String actor, Instant at) {
        StoredHalt halt = StoredHalt.findById(1);
        halt.halted = halted;
        halt.reason = reason;
        halt.changedBy = actor;
        halt.changedAt = at;
    }

    /** Rules of the run not yet removed. */
    @Transactional(TxType.REQUIRED)
    List<RuleRef> liveRules(String runId) {
        return StoredRule.<StoredRule> list("runId = ?1 and removedAt is null", runId).stream()
                .map(rule -> new RuleRef(rule.runId, rule.kind, rule.namespace, rule.name, rule.route, rule.dedicated, rule.appliedAt))
                .toList();
    }

    private static Run toRun(StoredRun run, boolean withDocument) {
        return toRun(run, StoredRule.<StoredRule> list("runId", Sort.ascending("id"), run.id),
                StoredEvent.<StoredEvent> list("runId", Sort.ascending("at", "id"), run.id), withDocument);
    }

    private static Run toRun(StoredRun run, List<StoredRule> storedRules, List<StoredEvent> events, boolean withDocument) {
        return toRun(run, storedRules, events, withDocument ? document(run) : null);
    }

    /** The run with these rules and timeline entries (in the order given) and {@code document} (null for none). */
    static Run toRun(StoredRun run, List<StoredRule> storedRules, List<StoredEvent> events, JsonNode document) {
        List<Run.Rule> rules = storedRules.stream()
                .map(rule -> new Run.Rule(rule.kind, rule.namespace, rule.name, rule.route, rule.appliedAt, rule.removedAt)).toList();
        List<Run.TimelineEntry> timeline = events.stream().map(event -> new Run.TimelineEntry(event.at, event.type, event.message)).toList();
        return new Run(run.id, run.experiment, run.revision, run.state, run.state.isTerminal() ? run.state : null, run.reason, run.startedBy, run.createdAt,
                run.startedAt, run.endedAt, run.needsCleanup, rules, timeline,
                run.recoveredAt == null ? null : new Run.Recovery(run.recoverySeconds, run.recoveredAt),
                run.samplesRemovedAt, run.timelineRemovedAt, document);
    }

    static JsonNode document(StoredRun run) {
        try {
            return CredentialHeaders.masked(JSON.readTree(run.document)); // runs stored before masking too
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("run " + run.id + " has an unreadable document", e);
        }
    }
}

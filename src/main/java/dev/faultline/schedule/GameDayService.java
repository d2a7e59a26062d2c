package dev.faultline.schedule;

import java.time.Instant;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.PageRequest;
import dev.faultline.PolicyDeniedException;
import dev.faultline.ResourceConflictException;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.experiment.ExperimentService;
import dev.faultline.security.AuditTrail;
import dev.faultline.security.Authors;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Sort;

/**
 * Game days: planned, approved by an approver other than whoever created or last changed them
 * (four eyes), started at their time by the clustered Quartz store (or by hand), then run step by
 * step on the instance that started them — a failed or aborted step stops the rest unless it
 * continues on failure. That instance beats for the game day; should it die, another ends it.
 * <p>
 * This is the feature service: who may do what, and the audit entry. The plans as kept are
 * {@link GameDayPlans}', the four eyes {@link GameDayApproval}'s, the running {@link GameDayExecution}'s.
 */
@ApplicationScoped
public class GameDayService {

    public enum State {
        PLANNED, APPROVED, RUNNING, COMPLETED, FAILED, CANCELLED;

        /** The states of a game day that has not ended. */
        static final Set<State> LIVE = Set.of(PLANNED, APPROVED, RUNNING);
    }

    private final ExperimentService experiments;
    private final AuditTrail audit;
    private final Authors authors;
    private final GameDayPlans plans;
    private final GameDayApproval approval;
    private final GameDayExecution execution;

    GameDayService(ExperimentService experiments, AuditTrail audit, Authors authors, GameDayPlans plans, GameDayApproval approval,
            GameDayExecution execution) {
        this.experiments = experiments;
        this.audit = audit;
        this.authors = authors;
        this.plans = plans;
        this.approval = approval;
        this.execution = execution;
    }

    @Transactional
    public List<GameDayView> list() {
        return list(PageRequest.everything()).items();
    }

    /** A page of the game days, by name. */
    @Transactional
    public PageRequest.Page<GameDayView> list(PageRequest page) {
        List<StoredGameDay> found = StoredGameDay.<StoredGameDay> find("name > ?1", Sort.ascending("name"), page.afterName())
                .page(0, page.fetch()).list();
        return page.cutByName(found, stored -> stored.name, this::view);
    }

    @Transactional
    public Optional<GameDayView> find(String name) {
        return StoredGameDay.<StoredGameDay> findByIdOptional(name).map(this::view);
    }

    /** Plans a game day: experimenters, for experiments whose namespaces they were granted. */
    public void create(Caller caller, JsonNode document) {
        audit.perform(caller, "gameday.create", target(DocumentFields.nameIn(document)), () -> {
            requireGrants(caller, document, null);
            plans.create(document, caller.name());
        });
    }

    /** Plans or changes a game day: true when created. */
    public boolean put(Caller caller, String name, JsonNode document) {
        return audit.perform(caller, "gameday.apply", target(name), () -> {
            requireGrants(caller, document, name);
            return plans.put(name, document, caller.name());
        });
    }

    public void delete(Caller caller, String name) {
        audit.perform(caller, "gameday.delete", target(name), () -> {
            requireGrants(caller, null, name);
            plans.delete(name);
        });
    }

    /** Approves a planned game day: approvers, never whoever created or last changed it. */
    public GameDayView approve(Caller caller, String name) {
        return audit.perform(caller, "gameday.approve", target(name), () -> {
            caller.require(Role.APPROVER);
            return QuarkusTransaction.joiningExisting().call(() -> view(approval.approve(name, caller.name())));
        });
    }

    /**
     * Starts an approved game day now: experimenters granted every namespace it runs in, as long as
     * whoever created and last changed it still may run what was approved.
     */
    public GameDayView start(Caller caller, String name) {
        return audit.perform(caller, "gameday.start", target(name), () -> {
            requireGrants(caller, null, name);
            requireAuthors(name);
            execution.start(name, caller.name());
            return find(name).orElseThrow();
        });
    }

    /**
     * A game day's start time, on whichever instance Quartz gave it to. Faultline starts it by itself
     * ({@code gameday:NAME}), recorded as {@code gameday.start}, for whoever created and last changed
     * it: should one of them no longer be allowed to run what was approved (disabled, deleted, without
     * the role or a grant), the start is refused and the game day CANCELLED saying who and why; should
     * an experiment have changed since the approval, it was not approved by its start time.
     */
    @ActivateRequestContext
    void fire(String name, Instant scheduledFor) {
        if (!execution.dueAt(name, scheduledFor)) {
            return;
        }
        try {
            audit.perform(Caller.job("gameday:" + name, Caller.Via.GAMEDAY), "gameday.start", target(name), () -> {
                requireAuthors(name);
                execution.startOnTime(name);
            });
        } catch (PolicyDeniedException refused) {
            execution.end(name, State.CANCELLED, "refused at its start time: " + refused.getMessage());
        } catch (ResourceConflictException notApproved) {
            execution.cancelUnapproved(name, scheduledFor); // its approval was just taken back
        } catch (ResourceNotFoundException gone) {
            // deleted meanwhile
        }
    }

    /** Cancels a game day and aborts its live runs: anyone signed in, as anyone may abort a run. */
    public GameDayView cancel(Caller caller, String name) {
        return audit.perform(caller, "gameday.cancel", target(name), () -> {
            execution.cancel(name, caller.name());
            return find(name).orElseThrow();
        });
    }

    /** Records a finding: its participants, its creator and admins. */
    public GameDayView.Finding addFinding(Caller caller, String name, String text) {
        return audit.perform(caller, "gameday.finding.add", target(name), () -> {
            requirePerson(caller, name);
            return plans.addFinding(name, text, caller.name());
        });
    }

    /** Records a follow-up action: its participants, its creator and admins. */
    public GameDayView.Action addAction(Caller caller, String name, String text, String owner, LocalDate due) {
        return audit.perform(caller, "gameday.action.add", target(name), () -> {
            requirePerson(caller, name);
            return plans.addAction(name, text, owner, due, caller.name());
        });
    }

    public GameDayView.Action setDone(Caller caller, String name, long id, boolean done) {
        return audit.perform(caller, "gameday.action.update", target(name) + "/actions/" + id, () -> {
            requirePerson(caller, name);
            return plans.setDone(name, id, done);
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

    /** The people who may record findings and actions: the participants and the creator. */
    @Transactional
    public Set<String> people(String name) {
        StoredGameDay day = StoredGameDay.named(name);
        Set<String> people = new HashSet<>(day.spec().participants());
        people.add(day.createdBy);
        return people;
    }

    /** Experimenters change game days whose experiments they were granted: those it runs now, and those it is to run. */
    private void requireGrants(Caller caller, JsonNode document, String name) {
        caller.require(Role.EXPERIMENTER);
        if (document != null) {
            experiments.requireGrantsFor(caller, GameDaySpec.experimentsNamed(document));
        }
        if (name != null) {
            experiments.requireGrantsFor(caller, experimentsOf(name));
        }
    }

    /**
     * Fails (403, policy) unless whoever created and last changed the game day is still enabled, an
     * experimenter, and granted the namespace of every experiment at the revision approved.
     */
    @Transactional
    void requireAuthors(String name) {
        StoredGameDay day = StoredGameDay.named(name);
        List<String> namespaces = day.approvedRevisions().entrySet().stream()
                .flatMap(approved -> experiments.find(approved.getKey(), approved.getValue()).stream())
                .map(saved -> saved.experiment().spec().target().namespace()).distinct().toList();
        authors.requireStanding(day.authors(), Role.EXPERIMENTER, namespaces);
    }

    /** The experiments a game day runs, for callers checking grants; empty when there is no such game day. */
    @Transactional
    List<String> experimentsOf(String name) {
        return StoredGameDay.<StoredGameDay> findByIdOptional(name).map(day -> day.spec().experiments()).orElse(List.of());
    }

    /** Fails unless {@code caller} may record findings and actions on game day {@code name}: a participant, its creator, or an admin. */
    /** Findings and actions: viewers (everyone with a role) who take part in the game day, its creator, or admins. */
    private void requirePerson(Caller caller, String name) {
        caller.require(Role.VIEWER);
        if (!mayTakeNotes(caller, name)) {
            throw new PolicyDeniedException(caller.name() + " is not a participant of game day " + name);
        }
    }

    private GameDayView view(StoredGameDay day) {
        JsonNode document = day.document();
        GameDaySpec spec = GameDaySpec.stored(day.name, document);
        List<GameDayView.StepRun> progress = StoredGameDayRun.<StoredGameDayRun> list("gameDay", Sort.ascending("step", "id"), day.name)
                .stream()
                .map(r -> new GameDayView.StepRun(r.step + 1, r.experiment, r.runId, r.outcome == null ? "RUNNING" : r.outcome, r.detail))
                .toList();
        List<StoredGameDayNote> notes = StoredGameDayNote.list("gameDay", Sort.ascending("id"), day.name);
        return new GameDayView(day.name, spec.title(), spec.description(), spec.startAt(), spec.timeZone().getId(), spec.participants(),
                document.get("steps"), day.state.name(), day.reason,
                day.approvedBy == null ? null : new GameDayView.Approval(day.approvedBy, day.approvedAt, day.approvedRevisions()),
                day.startedAt, day.endedAt,
                progress, notes.stream().filter(n -> n.kind == StoredGameDayNote.Kind.FINDING).map(StoredGameDayNote::finding).toList(),
                notes.stream().filter(n -> n.kind == StoredGameDayNote.Kind.ACTION).map(StoredGameDayNote::action).toList(),
                new GameDayView.Status(day.createdAt, day.createdBy, day.updatedAt, day.updatedBy));
    }
}

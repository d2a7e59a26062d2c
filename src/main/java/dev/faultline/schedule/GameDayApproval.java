package dev.faultline.schedule;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import dev.faultline.PolicyDeniedException;
import dev.faultline.ResourceConflictException;
import dev.faultline.experiment.ExperimentChanged;
import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.RevisionChange;
import dev.faultline.schedule.GameDayService.State;

/**
 * Four eyes: a game day runs only once an approver other than whoever created it or last changed
 * it has approved it, and a change takes the approval back — what was approved is no longer what
 * would run. The approval covers the revision of every experiment the game day runs, as they were
 * when it was given: its steps run exactly those, and a newer revision of any of them takes the
 * approval back too, when it is saved ({@link #onExperimentChanged}) and, should that have been
 * missed, when the game day starts ({@link #changedSince}).
 */
@ApplicationScoped
class GameDayApproval {

    private static final Logger LOG = Logger.getLogger(GameDayApproval.class);
    /** The reason of a plan that was never approved. */
    static final String AWAITING = "awaiting approval";
    private static final String AGAIN = "; " + AWAITING + " again";

    private final ExperimentService experiments;
    private final Clock clock;

    GameDayApproval(ExperimentService experiments, Clock clock) {
        this.experiments = experiments;
        this.clock = clock;
    }

    /** A plan just written (created or changed) awaits approval, again if it had one. */
    void awaitApproval(StoredGameDay day) {
        day.state = State.PLANNED;
        day.reason = day.approvedBy != null ? "changed after approval" + AGAIN : AWAITING;
        day.approvedAt = null;
        day.approvedBy = null;
        day.approveRevisions(null);
    }

    /**
     * Approves a planned game day, never by whoever created or last changed it, at the current
     * revision of each experiment it runs; those cannot change before the approval is stored.
     */
    @Transactional
    StoredGameDay approve(String name, String actor) {
        StoredGameDay day = StoredGameDay.named(name);
        if (actor.equals(day.createdBy) || actor.equals(day.updatedBy)) {
            throw new PolicyDeniedException("four eyes: " + actor + (actor.equals(day.createdBy) ? " created" : " last changed")
                    + " game day " + name + "; another approver must approve it");
        }
        if (day.state != State.PLANNED) {
            throw new ResourceConflictException("game day " + name + " is " + day.state + "; only a planned one can be approved");
        }
        List<String> named = day.spec().experiments();
        Map<String, Integer> revisions = experiments.lockRevisions(named);
        named.stream().filter(experiment -> !revisions.containsKey(experiment)).findFirst().ifPresent(missing -> {
            throw new ResourceConflictException("game day " + name + " runs experiment " + missing + ", which does not exist any more; "
                    + "change its plan first");
        });
        day.state = State.APPROVED;
        day.reason = "approved by " + actor;
        day.approvedBy = actor;
        day.approvedAt = clock.instant();
        day.approveRevisions(revisions);
        return day;
    }

    /**
     * Why the approval of an approved game day no longer covers what it would run — the first
     * experiment of its plan saved or deleted since, with both revisions — or empty when it still does.
     * Call within a transaction: the revisions compared cannot change before it ends.
     */
    Optional<String> changedSince(StoredGameDay day) {
        Map<String, Integer> approved = day.approvedRevisions();
        List<String> named = day.spec().experiments();
        Map<String, Integer> now = experiments.lockRevisions(named);
        for (String experiment : named) {
            Integer pinned = approved.get(experiment);
            if (pinned == null) {
                return Optional.of("experiment " + experiment + " has no approved revision");
            }
            if (!now.containsKey(experiment)) {
                return Optional.of(deleted(experiment, pinned));
            }
            if (!now.get(experiment).equals(pinned)) {
                return Optional.of(changed(experiment, pinned, now.get(experiment)));
            }
        }
        return Optional.empty();
    }

    /** Takes the approval of a game day back, saying why; false when it was not approved (any more). */
    @Transactional
    boolean takeBack(String name, String why) {
        boolean taken = StoredGameDay.update("state = ?1, reason = ?2, approvedAt = null, approvedBy = null, approvedRevisions = null "
                + "where name = ?3 and state = ?4", State.PLANNED, why + AGAIN, name, State.APPROVED) == 1;
        if (taken) {
            LOG.infof("Game day %s awaits approval again: %s", name, why);
        }
        return taken;
    }

    /**
     * A new revision of an experiment, in the transaction saving it: every approved game day that
     * runs it at another revision awaits approval again. (Running ones go on with what was approved.)
     */
    @Transactional
    void onExperimentChanged(@Observes ExperimentChanged change) {
        for (StoredGameDay day : StoredGameDay.<StoredGameDay> list("state", State.APPROVED)) {
            Integer pinned = day.approvedRevisions().get(change.name());
            if (pinned != null && pinned != change.revision()) {
                takeBack(day.name, change.change() == RevisionChange.DELETED ? deleted(change.name(), pinned)
                        : changed(change.name(), pinned, change.revision()));
            }
        }
    }

    private static String changed(String experiment, int approved, int now) {
        return "experiment " + experiment + " changed after approval (revision " + approved + " approved, now " + now + ")";
    }

    private static String deleted(String experiment, int approved) {
        return "experiment " + experiment + " was deleted after approval (revision " + approved + " approved)";
    }
}

package dev.faultline.schedule;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import dev.faultline.PolicyDeniedException;
import dev.faultline.ResourceConflictException;
import dev.faultline.schedule.GameDayService.State;

/**
 * Four eyes: a game day runs only once an approver other than whoever created it or last changed
 * it has approved it, and a change takes the approval back — what was approved is no longer what
 * would run.
 */
@ApplicationScoped
class GameDayApproval {

    private final Clock clock;

    GameDayApproval(Clock clock) {
        this.clock = clock;
    }

    /** A plan just written (created or changed) awaits approval, again if it had one. */
    void awaitApproval(StoredGameDay day) {
        day.state = State.PLANNED;
        day.reason = day.approvedBy != null ? "changed after approval; awaiting approval again" : "awaiting approval";
        day.approvedAt = null;
        day.approvedBy = null;
    }

    /** Approves a planned game day; never by whoever created or last changed it. */
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
        day.state = State.APPROVED;
        day.reason = "approved by " + actor;
        day.approvedBy = actor;
        day.approvedAt = clock.instant();
        return day;
    }
}

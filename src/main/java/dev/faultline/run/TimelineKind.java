package dev.faultline.run;

/** What a timeline entry of a run records: a move to a state (named as the state), or something that happened. */
public enum TimelineKind {
    PENDING, PRECHECK, INJECTING, OBSERVING, RECOVERING, POSTCHECK, COMPLETED, DEVIATED, ABORTED, FAILED, CANCELLED,
    /** Someone or something asked the run to stop: a user, a guardrail, the kill switch, the dead man's switch. */
    ABORT,
    RULE_APPLIED,
    RULE_REMOVED,
    /** A ramp step changed the faults' percentages. */
    RAMP,
    /** A rule could not be removed; the reconciler keeps trying. */
    CLEANUP_NEEDED,
    /** Someone other than Faultline removed or reverted the run's rule. */
    DRIFT,
    /** Another instance took the run over from an owner that stopped beating. */
    TAKEN_OVER,
    /** How a guardrail's checks are timed: just after the scrape of its series, or on a timer and why. */
    CHECK_TIMING,
    /** The steady state held again after the rules were removed. */
    RECOVERED,
    /** The steady state had not held again when the recovery window closed. */
    NOT_RECOVERED;

    static TimelineKind of(RunState state) {
        return valueOf(state.name());
    }
}

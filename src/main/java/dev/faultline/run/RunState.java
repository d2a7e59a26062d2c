package dev.faultline.run;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a run is in its lifecycle, and the moves DESIGN.md allows between states. The last five are
 * terminal and are also the run's verdict.
 *
 * <pre>
 * PENDING → PRECHECK → INJECTING → OBSERVING → RECOVERING → POSTCHECK → COMPLETED
 *    │          │           │           │           │            └→ DEVIATED | ABORTED
 *    └──────────┴→ CANCELLED└───────────┴→ RECOVERING → ABORTED | FAILED
 * </pre>
 *
 * A run left by a stopped instance before it injected anything ends CANCELLED; one left during
 * POSTCHECK (its rules are already gone) ends ABORTED without a verdict on its steady state.
 */
public enum RunState {
    PENDING, PRECHECK, INJECTING, OBSERVING, RECOVERING, POSTCHECK,
    COMPLETED, DEVIATED, ABORTED, FAILED, CANCELLED;

    public boolean isTerminal() {
        return ordinal() >= COMPLETED.ordinal();
    }

    /** The states this one may move to. */
    public Set<RunState> next() {
        return switch (this) {
            case PENDING -> EnumSet.of(PRECHECK, CANCELLED);
            case PRECHECK -> EnumSet.of(INJECTING, CANCELLED);
            case INJECTING -> EnumSet.of(OBSERVING, RECOVERING);
            case OBSERVING -> EnumSet.of(RECOVERING);
            case RECOVERING -> EnumSet.of(POSTCHECK, ABORTED, FAILED);
            case POSTCHECK -> EnumSet.of(COMPLETED, DEVIATED, ABORTED);
            case COMPLETED, DEVIATED, ABORTED, FAILED, CANCELLED -> EnumSet.noneOf(RunState.class);
        };
    }

    public boolean canMoveTo(RunState next) {
        return next != this && next().contains(next);
    }
}

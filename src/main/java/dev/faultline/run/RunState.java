package dev.faultline.run;

/** Where a run is in its lifecycle. The last five are terminal and are also the run's verdict. */
public enum RunState {
    PENDING, PRECHECK, INJECTING, OBSERVING, RECOVERING, POSTCHECK,
    COMPLETED, DEVIATED, ABORTED, FAILED, CANCELLED;

    public boolean isTerminal() {
        return ordinal() >= COMPLETED.ordinal();
    }

    /** Whether faults may be in the mesh in this state. */
    public boolean mayHaveFaults() {
        return this == INJECTING || this == OBSERVING || this == RECOVERING;
    }
}

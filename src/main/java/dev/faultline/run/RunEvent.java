package dev.faultline.run;

import java.time.Instant;

/**
 * Something that happened to a run, published asynchronously for other features (notifications,
 * the UI) to observe. Observers run off the run's thread: they cannot delay or break it.
 */
public record RunEvent(String runId, String experiment, Type type, RunState state, String reason, String startedBy, Instant at) {

    public enum Type {
        STARTED, ABORTED, COMPLETED, DEVIATED, FAILED, CANCELLED
    }
}

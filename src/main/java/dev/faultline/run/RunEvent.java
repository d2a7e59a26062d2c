package dev.faultline.run;

import java.time.Instant;
import java.util.List;

/**
 * Something that happened to a run, published asynchronously for other features (notifications,
 * the UI) to observe. Observers run off the run's thread: they cannot delay or break it. It carries
 * the run as stored then and, for an ending, its samples, so an observer needs nothing else of runs.
 */
public record RunEvent(String runId, String experiment, Type type, RunState state, String reason, String startedBy, Instant at,
        Run run, List<Run.Sample> samples) {

    public enum Type {
        STARTED, ABORTED, COMPLETED, DEVIATED, FAILED, CANCELLED
    }
}

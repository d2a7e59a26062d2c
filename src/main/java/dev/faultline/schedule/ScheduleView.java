package dev.faultline.schedule;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

/** A schedule as the API shows it: the document as written, then its next fires and its history. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "name", "experiment", "cron", "timeZone", "window", "blackouts", "jitter", "paused", "nextFires", "history", "status" })
public record ScheduleView(String name, String experiment, String cron, String timeZone, JsonNode window, JsonNode blackouts,
        String jitter, boolean paused, List<NextFire> nextFires, List<Fire> history, Status status) {

    /** A coming fire; {@code skipped} says why it will start no run (blackout, outside the window). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NextFire(Instant at, String skipped) {
    }

    /**
     * A past fire: the run it started, or why it started none — {@code skipped} (its calendar, a halt,
     * a busy target, a failure) or {@code refused} (whoever it fires for may no longer run it).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Fire(Instant at, Instant scheduledFor, String run, String skipped, String refused, String instance) {
    }

    public record Status(Instant createdAt, String createdBy, Instant updatedAt, String updatedBy) {
    }
}

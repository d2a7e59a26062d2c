package dev.faultline.schedule;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

/** A game day as the API shows it: the plan as written, then its state, approval, progress, findings and actions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "name", "title", "description", "startAt", "timeZone", "participants", "steps", "state", "reason", "approval",
        "startedAt", "endedAt", "progress", "findings", "actions", "status" })
public record GameDayView(String name, String title, String description, Instant startAt, String timeZone, List<String> participants,
        JsonNode steps, String state, String reason, Approval approval, Instant startedAt, Instant endedAt, List<StepRun> progress,
        List<Finding> findings, List<Action> actions, Status status) {

    /** Who approved it, when, and the revision of each experiment the approval covers: its steps run exactly those. */
    public record Approval(String by, Instant at, Map<String, Integer> revisions) {
    }

    /** One experiment of one step: the run it started and how that ended (or NOT_STARTED, with why). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StepRun(int step, String experiment, String run, String outcome, String detail) {
    }

    public record Finding(long id, String text, String author, Instant at) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Action(long id, String text, String owner, LocalDate due, boolean done, String author, Instant at) {
    }

    public record Status(Instant createdAt, String createdBy, Instant updatedAt, String updatedBy) {
    }
}

package dev.faultline.schedule;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.experiment.spec.FieldError;
import dev.faultline.experiment.spec.InvalidDocumentException;

/**
 * A game day as planned: {@code {"name", "title", "description", "startAt", "timeZone",
 * "participants": [users], "steps": [{"experiment"} or {"experiments": [...]}, "continueOnFailure"]}}.
 * The experiments of one step run in parallel; steps run in order.
 */
public record GameDaySpec(String name, String title, String description, Instant startAt, ZoneId timeZone, List<String> participants,
        List<Step> steps) {

    private static final Set<String> FIELDS = Set.of("name", "title", "description", "startAt", "timeZone", "participants", "steps",
            "state", "reason", "approval", "progress", "findings", "actions", "status");

    public record Step(List<String> experiments, boolean continueOnFailure) {
    }

    static GameDaySpec read(JsonNode document, String pathName) {
        List<FieldError> errors = new ArrayList<>();
        DocumentFields.checkShape(document, "game day", FIELDS, "name, title, description, startAt, timeZone, participants, steps", errors);
        String name = DocumentFields.name(document, pathName, errors);
        String title = document.path("title").asText(null);
        if (title == null || title.isBlank() || title.length() > 200) {
            errors.add(new FieldError("title", "is required: 1 to 200 characters"));
        }
        String description = document.path("description").asText(null);
        ZoneId zone = DocumentFields.timeZone(document, errors);
        Instant startAt = null;
        String start = document.path("startAt").asText("");
        try {
            startAt = OffsetDateTime.parse(start).toInstant();
        } catch (DateTimeParseException notOffset) {
            try {
                startAt = LocalDateTime.parse(start).atZone(zone).toInstant();
            } catch (DateTimeParseException notLocal) {
                errors.add(new FieldError("startAt", "is required: an instant (2026-12-01T09:00:00Z) or a local date-time in timeZone "
                        + "(2026-12-01T10:00)"));
            }
        }
        List<String> participants = new ArrayList<>();
        JsonNode people = document.path("participants");
        if (!people.isMissingNode() && !people.isArray()) {
            errors.add(new FieldError("participants", "must be a list of user names"));
        }
        for (int i = 0; people.isArray() && i < people.size(); i++) {
            if (!people.get(i).isTextual() || people.get(i).asText().isBlank()) {
                errors.add(new FieldError("participants[" + i + "]", "must be a user name"));
            } else {
                participants.add(people.get(i).asText());
            }
        }
        List<Step> steps = new ArrayList<>();
        JsonNode given = document.path("steps");
        if (!given.isArray() || given.isEmpty()) {
            errors.add(new FieldError("steps", "is required: at least one step, {experiment} or {experiments: [...]}"));
        }
        for (int i = 0; given.isArray() && i < given.size(); i++) {
            String path = "steps[" + i + "]";
            JsonNode step = given.get(i);
            Set<String> experiments = new LinkedHashSet<>();
            if (step.has("experiment") == step.has("experiments")) {
                errors.add(new FieldError(path, "must have experiment (one) or experiments (several, run in parallel)"));
                continue;
            }
            JsonNode names = step.has("experiment") ? step.path("experiment") : step.path("experiments");
            for (JsonNode experiment : names.isArray() ? names : List.of(names)) {
                if (!experiment.isTextual() || !ScheduleSpec.NAME.matcher(experiment.asText()).matches()) {
                    errors.add(new FieldError(path + (step.has("experiment") ? ".experiment" : ".experiments"), "must name experiments"));
                } else {
                    experiments.add(experiment.asText());
                }
            }
            if (step.has("experiments") && (!names.isArray() || names.isEmpty())) {
                errors.add(new FieldError(path + ".experiments", "must list at least one experiment"));
            }
            step.fieldNames().forEachRemaining(field -> {
                if (!Set.of("experiment", "experiments", "continueOnFailure").contains(field)) {
                    errors.add(new FieldError(path + "." + field, "is not a field of a step; the fields are experiment, experiments, "
                            + "continueOnFailure"));
                }
            });
            steps.add(new Step(List.copyOf(experiments), step.path("continueOnFailure").asBoolean(false)));
        }
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
        return new GameDaySpec(name, title, description, startAt, zone, List.copyOf(participants), List.copyOf(steps));
    }

    List<String> experiments() {
        return steps.stream().flatMap(step -> step.experiments().stream()).distinct().toList();
    }
}

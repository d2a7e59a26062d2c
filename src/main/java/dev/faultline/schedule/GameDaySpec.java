package dev.faultline.schedule;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.Names;
import dev.faultline.FieldError;
import dev.faultline.FieldReader;
import dev.faultline.InvalidDocumentException;

/**
 * A game day as planned: {@code {"name", "title", "description", "startAt", "timeZone",
 * "participants": [users], "steps": [{"experiment"} or {"experiments": [...]}, "continueOnFailure"]}}.
 * The experiments of one step run in parallel; steps run in order.
 */
public record GameDaySpec(String name, String title, String description, Instant startAt, ZoneId timeZone, List<String> participants,
        List<Step> steps) {

    /** What the API adds on reading a game day: not part of its plan, and not kept. */
    static final Set<String> SHOWN = Set.of("state", "reason", "approval", "progress", "findings", "actions", "status");

    public record Step(List<String> experiments, boolean continueOnFailure) {
    }

    /**
     * Reads and checks a game-day document; {@code pathName} is the name in the path (PUT) when
     * there is one. Every problem is reported with its field.
     */
    static GameDaySpec read(JsonNode document, String pathName) {
        List<FieldError> errors = new ArrayList<>();
        FieldReader r = DocumentFields.reader(document, "game day", SHOWN, errors);
        String name = DocumentFields.name(r, pathName);
        r.has("title");
        r.text("description", false);
        String title = document.path("title").asText(null);
        if (title == null || title.isBlank() || title.length() > 200) {
            errors.add(new FieldError("title", "is required: 1 to 200 characters"));
        }
        ZoneId zone = DocumentFields.timeZone(r);
        r.has("startAt");
        if (DocumentFields.instant(document.path("startAt").asText(""), zone).isEmpty()) {
            errors.add(new FieldError("startAt", "is required: an instant (2026-12-01T09:00:00Z) or a local date-time in timeZone "
                    + "(2026-12-01T10:00)"));
        }
        r.has("participants");
        JsonNode people = document.path("participants");
        if (!people.isMissingNode() && !people.isArray()) {
            errors.add(new FieldError("participants", "must be a list of user names"));
        }
        for (int i = 0; people.isArray() && i < people.size(); i++) {
            if (!people.get(i).isTextual() || people.get(i).asText().isBlank()) {
                errors.add(new FieldError("participants[" + i + "]", "must be a user name"));
            }
        }
        r.has("steps");
        JsonNode given = document.path("steps");
        if (!given.isArray() || given.isEmpty()) {
            errors.add(new FieldError("steps", "is required: at least one step, {experiment} or {experiments: [...]}"));
        }
        for (int i = 0; given.isArray() && i < given.size(); i++) {
            checkStep(r.at(given.get(i), "steps[" + i + "]"), given.get(i));
        }
        r.finish();
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
        return stored(name, document);
    }

    /** One step, read by {@code reader} (which has reported it already when it is not an object). */
    private static void checkStep(FieldReader reader, JsonNode step) {
        if (!step.isObject()) {
            return;
        }
        boolean one = reader.has("experiment");
        if (one == reader.has("experiments")) {
            reader.error(null, "must have experiment (one) or experiments (several, run in parallel)");
            return;
        }
        JsonNode names = names(step);
        for (JsonNode experiment : names.isArray() ? names : List.of(names)) {
            if (!experiment.isTextual() || !Names.isDnsLabel(experiment.asText())) {
                reader.error(one ? "experiment" : "experiments", "must name experiments");
            }
        }
        if (!one && (!names.isArray() || names.isEmpty())) {
            reader.error("experiments", "must list at least one experiment");
        }
        reader.bool("continueOnFailure");
        reader.finish();
    }

    /** A kept game day: it was checked when written, so its fields are read without checking them again. */
    static GameDaySpec stored(String name, JsonNode document) {
        ZoneId zone = DocumentFields.timeZone(document);
        List<String> participants = new ArrayList<>();
        document.path("participants").forEach(person -> participants.add(person.asText()));
        List<Step> steps = new ArrayList<>();
        document.path("steps").forEach(step -> steps.add(new Step(List.copyOf(new LinkedHashSet<>(named(step))),
                step.path("continueOnFailure").asBoolean(false))));
        return new GameDaySpec(name, document.path("title").asText(null), document.path("description").asText(null),
                DocumentFields.instant(document.path("startAt").asText(""), zone).orElseThrow(), zone, List.copyOf(participants),
                List.copyOf(steps));
    }

    /** The experiments a document's steps name, as written and unchecked (for access checks before it is read). */
    static List<String> experimentsNamed(JsonNode document) {
        List<String> named = new ArrayList<>();
        document.path("steps").forEach(step -> named.addAll(named(step)));
        return named;
    }

    private static List<String> named(JsonNode step) {
        List<String> named = new ArrayList<>();
        JsonNode names = names(step);
        for (JsonNode experiment : names.isArray() ? names : List.of(names)) {
            if (experiment.isTextual()) {
                named.add(experiment.asText());
            }
        }
        return named;
    }

    private static JsonNode names(JsonNode step) {
        return step.has("experiment") ? step.path("experiment") : step.path("experiments");
    }

    List<String> experiments() {
        return steps.stream().flatMap(step -> step.experiments().stream()).distinct().toList();
    }
}

package dev.faultline.schedule;

import java.time.ZoneId;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.experiment.spec.FieldError;
import dev.faultline.experiment.spec.InvalidDocumentException;

/** The fields schedules and game days read alike: the object itself, unknown fields, the name, the time zone. */
final class DocumentFields {

    private DocumentFields() {
    }

    /** Fails unless {@code document} is an object; reports every field not in {@code known}. */
    static void checkShape(JsonNode document, String what, Set<String> known, String fieldList, List<FieldError> errors) {
        if (document == null || !document.isObject()) {
            throw new InvalidDocumentException(List.of(new FieldError("(document)", "must be a JSON object describing the " + what)));
        }
        document.fieldNames().forEachRemaining(field -> {
            if (!known.contains(field)) {
                errors.add(new FieldError(field, "is not a field of a " + what + "; the fields are " + fieldList));
            }
        });
    }

    /** The document's name, or the path's when it has none; a DNS label, equal to the path's when both are given. */
    static String name(JsonNode document, String pathName, List<FieldError> errors) {
        String name = document.hasNonNull("name") ? document.get("name").asText() : pathName;
        if (name == null || !ScheduleSpec.NAME.matcher(name).matches()) {
            errors.add(new FieldError("name", "must be a DNS label (lower-case letters, digits and '-', at most 63)"));
        } else if (pathName != null && !pathName.equals(name)) {
            errors.add(new FieldError("name", "must match the name in the path (" + pathName + "), found \"" + name + "\""));
        }
        return name;
    }

    /** {@code timeZone}, UTC when absent. */
    static ZoneId timeZone(JsonNode document, List<FieldError> errors) {
        if (document.hasNonNull("timeZone")) {
            try {
                return ZoneId.of(document.get("timeZone").asText());
            } catch (java.time.DateTimeException e) {
                errors.add(new FieldError("timeZone", "is not a time zone; use a region such as Europe/Paris or UTC"));
            }
        }
        return ZoneId.of("UTC");
    }
}

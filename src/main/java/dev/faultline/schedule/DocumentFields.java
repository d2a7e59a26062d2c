package dev.faultline.schedule;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.Names;
import dev.faultline.FieldError;
import dev.faultline.FieldReader;
import dev.faultline.InvalidDocumentException;

/**
 * What schedules and game days read and store alike: the object itself, unknown fields, the name,
 * the time zone, points in time, and the document as kept in the {@code document} column.
 */
final class DocumentFields {

    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final ObjectMapper JSON = new ObjectMapper();

    private DocumentFields() {
    }

    /**
     * The reader of a schedule or game-day document, as experiments are read: it fails unless
     * {@code document} is an object, and the fields the API adds on reading ({@code shown}: a document
     * read may be written back) are known without being read. Its {@code finish()} names every other
     * field nobody read, with the nearest known one.
     */
    static FieldReader reader(JsonNode document, String what, Set<String> shown, List<FieldError> errors) {
        if (document == null || !document.isObject()) {
            throw new InvalidDocumentException(List.of(new FieldError("(document)", "must be a JSON object describing the " + what)));
        }
        FieldReader reader = FieldReader.of(document, "", errors);
        shown.forEach(reader::tolerate);
        return reader;
    }

    /** The name a document gives itself, unchecked; null when it gives none. */
    static String nameIn(JsonNode document) {
        return document != null && document.hasNonNull("name") ? document.get("name").asText() : null;
    }

    /** The document's name, or the path's when it has none; a DNS label, equal to the path's when both are given. */
    static String name(FieldReader document, String pathName) {
        String name = document.has("name") ? document.text("name", false) : pathName;
        if (!Names.isDnsLabel(name)) {
            document.error("name", Names.DNS_LABEL_RULE);
        } else if (pathName != null && !pathName.equals(name)) {
            document.error("name", "must match the name in the path (" + pathName + "), found \"" + name + "\"");
        }
        return name;
    }

    /** {@code timeZone}, UTC when absent; a zone that is none is reported (and UTC returned). */
    static ZoneId timeZone(FieldReader document) {
        String zone = document.text("timeZone", false);
        try {
            return zone == null ? UTC : ZoneId.of(zone);
        } catch (DateTimeException e) {
            document.error("timeZone", "is not a time zone; use a region such as Europe/Paris or UTC");
            return UTC;
        }
    }

    /** {@code timeZone} of a checked document, UTC when absent. */
    static ZoneId timeZone(JsonNode document) {
        return document.hasNonNull("timeZone") ? ZoneId.of(document.get("timeZone").asText()) : UTC;
    }

    /** An instant ({@code 2026-12-01T09:00:00Z}) or a local date-time in {@code zone} ({@code 2026-12-01T10:00}); empty when neither. */
    static Optional<Instant> instant(String text, ZoneId zone) {
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException notOffset) {
            try {
                return Optional.of(LocalDateTime.parse(text).atZone(zone).toInstant());
            } catch (DateTimeParseException notLocal) {
                return Optional.empty();
            }
        }
    }

    /** As {@link #instant}, or a date ({@code 2026-12-20}) in {@code zone}: its start, or with {@code end} the end of its day. */
    static Optional<Instant> instantOrDay(String text, ZoneId zone, boolean end) {
        return instant(text, zone).or(() -> {
            try {
                LocalDate date = LocalDate.parse(text);
                return Optional.of((end ? date.plusDays(1) : date).atStartOfDay(zone).toInstant());
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        });
    }

    /** The document as kept: as written, without the fields the API adds on reading ({@code shown}), under {@code name}. */
    static String written(JsonNode document, String name, Set<String> shown) {
        ObjectNode copy = document.deepCopy();
        copy.remove(shown);
        copy.put("name", name);
        return copy.toString();
    }

    /** A kept document; {@code what} names it should it not be JSON. */
    static JsonNode parse(String stored, String what) {
        try {
            return JSON.readTree(stored);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored " + what + " is not JSON", e);
        }
    }
}

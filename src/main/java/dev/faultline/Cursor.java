package dev.faultline;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Where a page of a list ends: the sort key of its last item, handed out as opaque base64url text and
 * read back at the next request. A cursor that does not read back is a 400 naming {@code before} (or
 * the parameter the list takes it in: {@code after} for a run's samples).
 */
public record Cursor(List<String> key) {

    /** The query parameter a cursor comes back in. */
    public static final String PARAMETER = "before";

    private static final ObjectMapper JSON = new ObjectMapper();

    public Cursor {
        key = List.copyOf(key);
    }

    public static Cursor of(Object... key) {
        return new Cursor(java.util.Arrays.stream(key).map(String::valueOf).toList());
    }

    public String encode() {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(key));
        } catch (JacksonException e) {
            throw new IllegalStateException("a list of strings always writes", e);
        }
    }

    public static Cursor decode(String text) {
        try {
            String[] key = JSON.readValue(new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8), String[].class);
            if (key == null || key.length == 0 || java.util.Arrays.asList(key).contains(null)) {
                throw invalid();
            }
            return new Cursor(List.of(key));
        } catch (IllegalArgumentException | JacksonException e) {
            throw invalid();
        }
    }

    /** The {@code index}th part of the key; a cursor of another list (too short) is refused. */
    public String text(int index) {
        if (index >= key.size()) {
            throw invalid();
        }
        return key.get(index);
    }

    public Instant instant(int index) {
        try {
            return Instant.parse(text(index));
        } catch (DateTimeParseException e) {
            throw invalid();
        }
    }

    public long number(int index) {
        try {
            return Long.parseLong(text(index));
        } catch (NumberFormatException e) {
            throw invalid();
        }
    }

    public static InvalidDocumentException invalid() {
        return invalid(PARAMETER);
    }

    /** The 400 for a cursor given in query parameter {@code parameter} that does not read back. */
    public static InvalidDocumentException invalid(String parameter) {
        return new InvalidDocumentException(List.of(invalidAt(parameter)));
    }

    /** What is wrong with a cursor in {@code parameter} that does not read back, for a 400 that names several fields. */
    public static FieldError invalidAt(String parameter) {
        return new FieldError(parameter, "is not a cursor this list handed out; "
                + "follow the Link header of the previous page, or leave it out to start from the first item");
    }
}

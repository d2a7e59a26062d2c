package dev.faultline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads the fields of one JSON/YAML object, recording a {@link FieldError} at the field's path for
 * every missing, mistyped or out-of-range value instead of stopping at the first. A read that fails
 * returns {@code null}; {@link #finish()} reports fields nobody asked for as unknown.
 */
public final class FieldReader {

    public static final Pattern DNS_SUBDOMAIN = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private final JsonNode node;
    private final String path;
    private final List<FieldError> errors;
    private final Set<String> known = new LinkedHashSet<>();
    private final Set<String> tolerated = new LinkedHashSet<>();

    private FieldReader(JsonNode node, String path, List<FieldError> errors) {
        this.node = node;
        this.path = path;
        this.errors = errors;
    }

    /** A reader over {@code node}, which must be an object; otherwise one error and a reader that reads nothing. */
    public static FieldReader of(JsonNode node, String path, List<FieldError> errors) {
        if (node == null || !node.isObject()) {
            errors.add(new FieldError(path, "must be an object, found " + describe(node)));
            return new FieldReader(null, path, errors);
        }
        return new FieldReader(node, path, errors);
    }

    public String path() {
        return path;
    }

    /** A reader for a value found elsewhere in this document (map values), reporting into the same errors. */
    public FieldReader at(JsonNode value, String valuePath) {
        return of(value, valuePath, errors);
    }

    public void errorAt(String fullPath, String message) {
        errors.add(new FieldError(fullPath, message));
    }

    public boolean isNumber(String field) {
        return has(field) && node.get(field).isNumber();
    }

    /** The number of elements when the field is a list, else -1. */
    public int listSize(String field) {
        return has(field) && node.get(field).isArray() ? node.get(field).size() : -1;
    }

    public String pathOf(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    public void error(String field, String message) {
        errors.add(new FieldError(field == null ? path : pathOf(field), message));
    }

    public int errorCount() {
        return errors.size();
    }

    /** Marks a field as known without reading it (read-only fields such as {@code status}). */
    public void ignore(String field) {
        known.add(field);
    }

    /**
     * Accepts a field without reading it or offering it: what the API adds when it answers (a
     * schedule's {@code nextFires}), which a document read back may carry.
     */
    public void tolerate(String field) {
        tolerated.add(field);
    }

    public boolean has(String field) {
        known.add(field);
        return node != null && node.has(field) && !node.get(field).isNull();
    }

    private JsonNode get(String field, boolean required) {
        if (has(field)) {
            return node.get(field);
        }
        if (required && node != null) {
            error(field, "is required");
        }
        return null;
    }

    public String text(String field, boolean required) {
        JsonNode value = get(field, required);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            error(field, "must be a string, found " + describe(value));
            return null;
        }
        if (value.asText().isBlank()) {
            error(field, "must not be blank");
            return null;
        }
        return value.asText();
    }

    /** A string that must match {@code pattern}; {@code rule} says in words what that means. */
    public String text(String field, boolean required, Pattern pattern, String rule) {
        String value = text(field, required);
        if (value != null && !pattern.matcher(value).matches()) {
            error(field, rule + ", found \"" + abbreviate(value) + "\"");
            return null;
        }
        return value;
    }

    public String dnsLabel(String field, boolean required) {
        return text(field, required, Names.DNS_LABEL,
                "must be a DNS label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit");
    }

    public String oneOfTexts(String field, boolean required, Set<String> allowed) {
        String value = text(field, required);
        if (value != null && !allowed.contains(value)) {
            error(field, "must be one of " + String.join(", ", allowed) + ", found \"" + abbreviate(value) + "\"");
            return null;
        }
        return value;
    }

    public Double number(String field, boolean required) {
        JsonNode value = get(field, required);
        if (value == null) {
            return null;
        }
        if (!value.isNumber()) {
            error(field, "must be a number, found " + describe(value));
            return null;
        }
        return value.asDouble();
    }

    public Integer integer(String field, boolean required, int min, int max) {
        JsonNode value = get(field, required);
        if (value == null) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            error(field, "must be a whole number, found " + describe(value));
            return null;
        }
        int number = value.asInt();
        if (number < min || number > max) {
            error(field, "must be between " + min + " and " + max + ", found " + number);
            return null;
        }
        return number;
    }

    public Boolean bool(String field) {
        JsonNode value = get(field, false);
        if (value == null) {
            return null;
        }
        if (!value.isBoolean()) {
            error(field, "must be true or false, found " + describe(value));
            return null;
        }
        return value.asBoolean();
    }

    /** A share of requests: more than 0, at most 100. */
    public Double percentage(String field, boolean required) {
        Double value = number(field, required);
        if (value != null && !(value > 0 && value <= 100)) {
            error(field, "must be a percentage greater than 0 and at most 100, found " + plain(value));
            return null;
        }
        return value;
    }

    public Duration duration(String field, boolean required, Duration min, Duration max) {
        JsonNode value = get(field, required);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            error(field, "must be a duration with a unit such as 500ms, 2s, 5m or PT1M, found " + describe(value));
            return null;
        }
        var parsed = Durations.parse(value.asText());
        if (parsed.isEmpty()) {
            error(field, "must be a duration such as 500ms, 2s, 5m, 1h30m or PT1M, found \"" + abbreviate(value.asText()) + "\"");
            return null;
        }
        Duration duration = parsed.get();
        if (duration.compareTo(min) < 0 || (max != null && duration.compareTo(max) > 0)) {
            error(field, "must be " + (max == null ? "at least " + Durations.format(min)
                    : "between " + Durations.format(min) + " and " + Durations.format(max))
                    + ", found " + Durations.format(duration));
            return null;
        }
        return duration;
    }

    /** A nested object read by {@code read}; unknown fields inside it are reported too. */
    public <T> T object(String field, boolean required, Function<FieldReader, T> read) {
        JsonNode value = get(field, required);
        if (value == null) {
            return null;
        }
        FieldReader nested = of(value, pathOf(field), errors);
        if (nested.node == null) {
            return null;
        }
        int before = errors.size();
        T result = read.apply(nested);
        nested.finish();
        return errors.size() == before ? result : null;
    }

    /** A list whose elements are read by {@code read(element, path)}; an element that fails is left out. */
    public <T> List<T> list(String field, boolean required, BiFunction<JsonNode, String, T> read) {
        JsonNode value = get(field, required);
        if (value == null) {
            return null;
        }
        if (!value.isArray()) {
            error(field, "must be a list, found " + describe(value));
            return null;
        }
        List<T> items = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            T item = read.apply(value.get(i), pathOf(field) + "[" + i + "]");
            if (item != null) {
                items.add(item);
            }
        }
        return items;
    }

    /** A list of objects, each read by {@code read} with its own reader. */
    public <T> List<T> objects(String field, boolean required, Function<FieldReader, T> read) {
        return list(field, required, (element, elementPath) -> {
            FieldReader item = of(element, elementPath, errors);
            if (item.node == null) {
                return null;
            }
            int before = errors.size();
            T result = read.apply(item);
            item.finish();
            return errors.size() == before ? result : null;
        });
    }

    /** A list of strings, each matching {@code pattern}. */
    public List<String> texts(String field, Pattern pattern, String rule) {
        return list(field, false, (element, elementPath) -> {
            if (!element.isTextual() || !pattern.matcher(element.asText()).matches()) {
                errors.add(new FieldError(elementPath, rule + ", found " + describe(element)));
                return null;
            }
            return element.asText();
        });
    }

    /** A map from names matching {@code keyPattern} to values read by {@code read(value, path)}. */
    public <T> Map<String, T> map(String field, Pattern keyPattern, String keyRule, BiFunction<JsonNode, String, T> read) {
        JsonNode value = get(field, false);
        if (value == null) {
            return null;
        }
        if (!value.isObject()) {
            error(field, "must be a map, found " + describe(value));
            return null;
        }
        Map<String, T> entries = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
        while (fields.hasNext()) {
            var entry = fields.next();
            String entryPath = pathOf(field) + "." + entry.getKey();
            if (!keyPattern.matcher(entry.getKey()).matches()) {
                errors.add(new FieldError(entryPath, keyRule));
                continue;
            }
            T item = read.apply(entry.getValue(), entryPath);
            if (item != null) {
                entries.put(entry.getKey(), item);
            }
        }
        return entries;
    }

    /** A map of string values; numbers and booleans are taken as their text (header values, labels). */
    public Map<String, String> stringMap(String field, Pattern keyPattern, String keyRule) {
        return map(field, keyPattern, keyRule, (value, valuePath) -> {
            if (!value.isValueNode() || value.isNull()) {
                errors.add(new FieldError(valuePath, "must be a string, found " + describe(value)));
                return null;
            }
            return value.asText();
        });
    }

    /**
     * The one field present among {@code choices}; an error on this object when none or several are.
     * Returns {@code null} after an error.
     */
    public String exactlyOne(String... choices) {
        List<String> present = new ArrayList<>();
        for (String choice : choices) {
            if (has(choice)) {
                present.add(choice);
            }
        }
        if (node != null && present.size() != 1) {
            error(null, "must have exactly one of " + String.join(", ", choices)
                    + (present.isEmpty() ? ", found none" : ", found " + String.join(" and ", present)));
            return null;
        }
        return present.isEmpty() ? null : present.getFirst();
    }

    /** Reports every field of this object that no read asked for. */
    public void finish() {
        if (node == null) {
            return;
        }
        node.fieldNames().forEachRemaining(field -> {
            if (!known.contains(field) && !tolerated.contains(field)) {
                error(field, "is not a known field" + suggestion(field));
            }
        });
    }

    private String suggestion(String unknown) {
        String closest = null;
        int best = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = editDistance(unknown.toLowerCase(), candidate.toLowerCase());
            if (distance < best) {
                best = distance;
                closest = candidate;
            }
        }
        String expected = "; expected " + known.stream().collect(Collectors.joining(", "));
        return closest != null && best <= Math.max(2, closest.length() / 3)
                ? " (did you mean \"" + closest + "\"?)" + expected
                : expected;
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    public static String describe(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isTextual()) {
            return "the string \"" + abbreviate(node.asText()) + "\"";
        }
        if (node.isNumber()) {
            return "the number " + node.asText();
        }
        if (node.isBoolean()) {
            return node.asText();
        }
        return node.isArray() ? "a list" : "an object";
    }

    public static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    public static String plain(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}

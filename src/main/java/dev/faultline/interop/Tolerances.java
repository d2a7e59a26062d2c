package dev.faultline.interop;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.experiment.spec.StatusRange;

/**
 * Chaos Toolkit tolerances: whether one is a tolerance Chaos Toolkit accepts, and the Faultline
 * expectation it states, on an HTTP answer or on a Prometheus query's value.
 */
final class Tolerances {

    private static final Pattern PROMETHEUS_VALUE_PATH = Pattern.compile("\\$\\.data\\.result\\[(\\d+|\\*)]\\.value\\[1]");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Activities activities;
    private final Substitutions substitutions;
    private final ImportFindings findings;

    Tolerances(Activities activities, Substitutions substitutions, ImportFindings findings) {
        this.activities = activities;
        this.substitutions = substitutions;
        this.findings = findings;
    }

    /** Whether {@code tolerance} is one Chaos Toolkit accepts; if not, the errors are listed at {@code path}. */
    boolean valid(JsonNode tolerance, String path) {
        if (tolerance == null || tolerance.isNull() || tolerance.isFloatingPointNumber() || !(tolerance.isBoolean()
                || tolerance.isIntegralNumber() || tolerance.isTextual() || tolerance.isArray() || tolerance.isObject())) {
            findings.error(path, "must be a boolean, an integer, a string, a list or an object with a type "
                    + "(Chaos Toolkit accepts no other tolerance)");
            return false;
        }
        if (!tolerance.isObject()) {
            return true;
        }
        int before = findings.errorCount();
        switch (tolerance.path("type").asText("")) {
            case "probe" -> activities.valid(tolerance, path);
            case "regex" -> {
                activities.requireText(tolerance, "pattern", path);
                if (tolerance.path("pattern").isTextual()) {
                    try {
                        Pattern.compile(tolerance.path("pattern").asText());
                    } catch (PatternSyntaxException e) {
                        findings.error(path + ".pattern", "is not a valid regular expression: " + e.getDescription());
                    }
                }
            }
            case "jsonpath" -> activities.requireText(tolerance, "path", path);
            case "range" -> {
                JsonNode range = tolerance.get("range");
                if (range == null || !range.isArray() || range.size() != 2 || !range.get(0).isNumber() || !range.get(1).isNumber()) {
                    findings.error(path + ".range", "must be a list of two numbers: [low, high]");
                }
            }
            default -> findings.error(path + ".type", "must be probe, regex, jsonpath or range");
        }
        return findings.errorCount() == before;
    }

    /** Sets the expectation that the tolerance states on an HTTP answer; the reason it cannot, or null. */
    String onHttpAnswer(JsonNode tolerance, ObjectNode http) {
        if (tolerance.isIntegralNumber()) {
            http.set("expectStatus", statusJson(tolerance.asInt(), tolerance.asInt()));
            return null;
        }
        if (tolerance.isArray()) {
            TreeSet<Integer> statuses = new TreeSet<>();
            tolerance.forEach(s -> statuses.add(s.isIntegralNumber() ? s.asInt() : -1));
            if (statuses.isEmpty() || statuses.first() < 100 || statuses.last() - statuses.first() + 1 != statuses.size()) {
                return "a list of statuses that is not one unbroken range (Faultline expects one status or range)";
            }
            http.set("expectStatus", statusJson(statuses.first(), statuses.last()));
            return null;
        }
        if (tolerance.isBoolean() || tolerance.isTextual()) {
            return "Chaos Toolkit compares a " + (tolerance.isBoolean() ? "boolean" : "string")
                    + " tolerance with the whole HTTP answer, which never equals it";
        }
        String target = tolerance.path("target").asText("body");
        switch (tolerance.path("type").asText()) {
            case "range" -> {
                if (!target.equals("status")) {
                    return "a range applies to the status only (target: status)";
                }
                http.set("expectStatus", statusJson(tolerance.path("range").get(0).asInt(), tolerance.path("range").get(1).asInt()));
                return null;
            }
            case "regex" -> {
                if (!target.equals("body")) {
                    return "a regular expression applies to the body only (target: body)";
                }
                http.put("bodyRegex", substitutions.apply(tolerance.get("pattern"), "tolerance.pattern", findings.unmapped()).asText());
                return null;
            }
            case "jsonpath" -> {
                JsonNode expect = tolerance.get("expect");
                if (!target.equals("body") || expect == null || !expect.isValueNode() || tolerance.has("count")) {
                    return "Faultline's jsonPath compares one value of the body with one expected value (expect)";
                }
                String jsonPath = substitutions.apply(tolerance.get("path"), "tolerance.path", findings.unmapped()).asText();
                http.putObject("jsonPath").put("path", jsonPath).put("equals", expect.asText());
                return null;
            }
            default -> {
                return "a Python tolerance (" + Activities.function(tolerance) + "), which Faultline cannot run";
            }
        }
    }

    private static JsonNode statusJson(int low, int high) {
        Object json = new StatusRange(low, high).json();
        return json instanceof Integer single ? NODES.numberNode(single) : NODES.textNode((String) json);
    }

    /**
     * A Faultline tolerance on each series' value: a number means equal to it; two numbers or a
     * range, between them; a jsonpath on {@code $.data.result[n].value[1]} with one expected value,
     * equal to it. That is what these tolerances on chaosprometheus' raw answer are written to say.
     */
    static Optional<ObjectNode> onQueryValue(JsonNode tolerance) {
        if (tolerance.isIntegralNumber()) {
            return Optional.of(NODES.objectNode().put("equals", tolerance.asDouble()));
        }
        if (tolerance.isArray() && tolerance.size() == 2 && tolerance.get(0).isNumber() && tolerance.get(1).isNumber()) {
            return Optional.of(between(tolerance.get(0).asDouble(), tolerance.get(1).asDouble()));
        }
        if (tolerance.isObject() && "range".equals(tolerance.path("type").asText())) {
            return Optional.of(between(tolerance.path("range").get(0).asDouble(), tolerance.path("range").get(1).asDouble()));
        }
        if (tolerance.isObject() && "jsonpath".equals(tolerance.path("type").asText())
                && PROMETHEUS_VALUE_PATH.matcher(tolerance.path("path").asText()).matches() && !tolerance.has("count")
                && tolerance.path("expect").isValueNode()) {
            try {
                return Optional.of(NODES.objectNode().put("equals", new BigDecimal(tolerance.path("expect").asText()).doubleValue()));
            } catch (NumberFormatException notANumber) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static ObjectNode between(double low, double high) {
        ObjectNode tolerance = NODES.objectNode();
        tolerance.putArray("between").add(low).add(high);
        return tolerance;
    }

    /** Why {@link #onQueryValue} has no Faultline tolerance for {@code tolerance}. */
    static String whyNotOnQueryValue(JsonNode tolerance) {
        if (tolerance.isObject() && "probe".equals(tolerance.path("type").asText())) {
            return "a Python tolerance (" + Activities.function(tolerance) + "), which Faultline cannot run: write a tolerance such as "
                    + "{below: n} for the query's value";
        }
        return "Faultline needs a number, two numbers, a range, or a jsonpath on $.data.result[n].value[1] with one expected "
                + "value, to compare the query's value with";
    }
}

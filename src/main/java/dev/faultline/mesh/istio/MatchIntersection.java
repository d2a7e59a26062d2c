package dev.faultline.mesh.istio;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.re2j.Pattern;

import dev.faultline.experiment.spec.Target;

/**
 * The requests that both one match block of a served route and the target's match select, as one Istio
 * {@code HTTPMatchRequest}, worked out field by field with Istio's meaning: every field of a block must
 * hold (AND), a header or query parameter matches by exact value, prefix or regex (RE2, whole value, as
 * Envoy), {@code {}} only asks for the header to be there, and {@code withoutHeaders} must not match.
 *
 * <p>An intersection is exact or it is not made: where one Istio field cannot say "both" (a prefix and a
 * regex, two different regexes, two different exclusions of one header) the answer is {@link Undecidable},
 * never a guess that would fault other requests than declared.
 */
final class MatchIntersection {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final List<String> STRING_FIELDS = List.of("uri", "scheme", "method", "authority");

    private MatchIntersection() {
    }

    /** No request has both: {@code why} says which field of the block and of the target disagree. */
    static final class Empty extends Exception {
        Empty(String why) {
            super(why, null, false, false);
        }
    }

    /** One Istio match cannot select exactly the requests that have both; {@code why} says which fields. */
    static final class Undecidable extends Exception {
        Undecidable(String why) {
            super(why, null, false, false);
        }
    }

    /** One value condition: exact value, prefix, RE2 regex, or (for headers) present with any value. */
    record Condition(Kind kind, String value) {

        enum Kind {
            EXACT, PREFIX, REGEX, PRESENT
        }

        static Condition of(Target.StringMatch match) {
            if (match.exact() != null) {
                return new Condition(Kind.EXACT, match.exact());
            }
            return match.prefix() != null ? new Condition(Kind.PREFIX, match.prefix()) : new Condition(Kind.REGEX, match.regex());
        }

        /** A StringMatch as a resource holds it; more than one of exact, prefix and regex is not a condition Faultline reads. */
        static Condition of(JsonNode node, String where) throws Undecidable {
            List<Condition> found = new ArrayList<>();
            for (Kind kind : List.of(Kind.EXACT, Kind.PREFIX, Kind.REGEX)) {
                JsonNode value = node.path(key(kind));
                if (value.isTextual()) {
                    found.add(new Condition(kind, value.asText()));
                }
            }
            if (found.size() > 1 || !node.isObject()) {
                throw new Undecidable(where + " is " + node + ", not one of exact, prefix and regex");
            }
            return found.isEmpty() ? new Condition(Kind.PRESENT, null) : found.get(0);
        }

        ObjectNode json() {
            ObjectNode node = JSON.objectNode();
            if (kind != Kind.PRESENT) {
                node.put(key(kind), value);
            }
            return node;
        }

        boolean matches(String candidate) {
            return switch (kind) {
                case EXACT -> value.equals(candidate);
                case PREFIX -> candidate.startsWith(value);
                case REGEX -> Pattern.matches(value, candidate);
                case PRESENT -> true;
            };
        }

        @Override
        public String toString() {
            return kind == Kind.PRESENT ? "present" : key(kind) + " \"" + value + "\"";
        }

        private static String key(Kind kind) {
            return kind.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The block narrowed by the target's match: a copy of {@code block} (so every field it has, known here
     * or not, still holds) with each field of {@code target} intersected into it.
     *
     * @param where how messages name the block, e.g. {@code route http[1] "beta" match[0]}
     */
    static ObjectNode intersect(JsonNode block, Target.Match target, String where) throws Empty, Undecidable {
        ObjectNode result = block.deepCopy();
        if (target == null) {
            return result;
        }
        boolean ignoreUriCase = block.path("ignoreUriCase").asBoolean(false);
        for (String field : STRING_FIELDS) {
            Target.StringMatch wanted = stringField(target, field);
            if (wanted == null) {
                continue;
            }
            if (field.equals("uri") && ignoreUriCase) {
                if (block.has("uri")) {
                    throw new Undecidable(where + " matches its uri ignoring case and spec.target.match.uri does not; "
                            + "one Istio match cannot say both");
                }
                result.remove("ignoreUriCase"); // it had no uri to apply to; on the target's uri it would widen the match
            }
            Condition mine = Condition.of(wanted);
            Condition theirs = block.has(field) ? Condition.of(block.get(field), where + "." + field) : null;
            result.set(field, meet(theirs, mine, where + "." + field, "spec.target.match." + field).json());
        }
        intersectMap(result, "headers", target.headers(), where);
        intersectMap(result, "queryParams", target.queryParams(), where);
        excludeAll(result, target.withoutHeaders(), where);
        if (target.port() != null) {
            JsonNode port = block.path("port");
            if (!port.isMissingNode() && port.asInt() != target.port()) {
                throw new Empty(where + ".port is " + port.asText() + " and spec.target.match.port is " + target.port());
            }
            result.put("port", target.port());
        }
        if (target.sourceNamespace() != null) {
            JsonNode namespace = block.path("sourceNamespace");
            if (!namespace.isMissingNode() && !namespace.asText().equals(target.sourceNamespace())) {
                throw new Empty(where + ".sourceNamespace is " + namespace.asText() + " and spec.target.match.sourceNamespace is "
                        + target.sourceNamespace());
            }
            result.put("sourceNamespace", target.sourceNamespace());
        }
        for (Map.Entry<String, String> label : target.sourceLabels().entrySet()) {
            JsonNode existing = block.path("sourceLabels").path(label.getKey());
            if (!existing.isMissingNode() && !existing.asText().equals(label.getValue())) {
                throw new Empty(where + ".sourceLabels." + label.getKey() + " is " + existing.asText()
                        + " and spec.target.match.sourceLabels." + label.getKey() + " is " + label.getValue());
            }
            object(result, "sourceLabels").put(label.getKey(), label.getValue());
        }
        checkExclusions(result, where);
        return result;
    }

    /**
     * Whether every request the target's match selects is also selected by {@code block}: then no route
     * after the block's route ever sees them. False when unsure, which only makes Faultline look further.
     */
    static boolean contains(JsonNode block, Target.Match target) {
        Target.Match t = target == null ? new Target.Match(null, null) : target;
        try {
            for (Iterator<Map.Entry<String, JsonNode>> fields = block.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                String name = field.getKey();
                JsonNode value = field.getValue();
                boolean holds = switch (name) {
                    case "name", "statPrefix" -> true;
                    case "ignoreUriCase" -> !value.asBoolean(false) || !block.has("uri");
                    case "uri", "scheme", "method", "authority" -> {
                        Target.StringMatch wanted = stringField(t, name);
                        yield wanted != null && covers(Condition.of(value, name), Condition.of(wanted));
                    }
                    case "headers", "queryParams" -> coversAll(value, name.equals("headers") ? t.headers() : t.queryParams());
                    case "withoutHeaders" -> excludesAll(value, t.withoutHeaders());
                    case "port" -> t.port() != null && t.port() == value.asInt();
                    case "sourceNamespace" -> value.asText().equals(t.sourceNamespace());
                    case "sourceLabels" -> labelsWithin(value, t.sourceLabels());
                    case "gateways" -> value.isEmpty() || containsText(value, "mesh");
                    default -> false;
                };
                if (!holds) {
                    return false;
                }
            }
            return true;
        } catch (Undecidable e) {
            return false;
        }
    }

    /** The one condition that holds exactly when both hold; {@code a} may be null (the block has no such field). */
    static Condition meet(Condition a, Condition b, String aName, String bName) throws Empty, Undecidable {
        if (a == null || a.kind() == Condition.Kind.PRESENT) {
            return b;
        }
        if (b.kind() == Condition.Kind.PRESENT) {
            return a;
        }
        if (a.kind() == Condition.Kind.EXACT || b.kind() == Condition.Kind.EXACT) {
            Condition exact = a.kind() == Condition.Kind.EXACT ? a : b;
            Condition other = exact == a ? b : a;
            if (other.matches(exact.value())) {
                return exact;
            }
            throw new Empty(aName + " (" + a + ") and " + bName + " (" + b + ") have no value in common");
        }
        if (a.kind() == Condition.Kind.PREFIX && b.kind() == Condition.Kind.PREFIX) {
            if (a.value().startsWith(b.value())) {
                return a;
            }
            if (b.value().startsWith(a.value())) {
                return b;
            }
            throw new Empty(aName + " (" + a + ") and " + bName + " (" + b + ") have no value in common");
        }
        if (a.equals(b)) {
            return a;
        }
        throw new Undecidable(aName + " (" + a + ") and " + bName + " (" + b + "): one Istio match cannot select exactly "
                + "the values both select; write spec.target.match with an exact value, or name a route whose match Faultline can narrow");
    }

    /** Whether every value {@code inner} selects is selected by {@code outer}; undecidable when that cannot be told. */
    static boolean covers(Condition outer, Condition inner) throws Undecidable {
        if (outer.kind() == Condition.Kind.PRESENT) {
            return true;
        }
        if (inner.kind() == Condition.Kind.EXACT) {
            return outer.matches(inner.value());
        }
        if (outer.equals(inner)) {
            return true;
        }
        if (inner.kind() == Condition.Kind.PRESENT) {
            return false;
        }
        if (outer.kind() == Condition.Kind.PREFIX && inner.kind() == Condition.Kind.PREFIX) {
            return inner.value().startsWith(outer.value());
        }
        if (outer.kind() == Condition.Kind.EXACT && inner.kind() == Condition.Kind.PREFIX) {
            return false; // a prefix selects endless values, an exact condition one
        }
        throw new Undecidable(outer + " and " + inner);
    }

    private static void intersectMap(ObjectNode result, String field, Map<String, Target.StringMatch> wanted, String where)
            throws Empty, Undecidable {
        for (Map.Entry<String, Target.StringMatch> entry : wanted.entrySet()) {
            JsonNode existing = result.path(field).path(entry.getKey());
            Condition theirs = existing.isMissingNode() ? null : Condition.of(existing, where + "." + field + "." + entry.getKey());
            Condition met = meet(theirs, Condition.of(entry.getValue()), where + "." + field + "." + entry.getKey(),
                    "spec.target.match." + field + "." + entry.getKey());
            object(result, field).set(entry.getKey(), met.json());
        }
    }

    /** Adds the target's exclusions; one header excluded by both is kept only when one exclusion covers the other. */
    private static void excludeAll(ObjectNode result, Map<String, Target.StringMatch> excluded, String where) throws Undecidable {
        for (Map.Entry<String, Target.StringMatch> entry : excluded.entrySet()) {
            Condition mine = Condition.of(entry.getValue());
            JsonNode existing = result.path("withoutHeaders").path(entry.getKey());
            if (!existing.isMissingNode()) {
                Condition theirs = Condition.of(existing, where + ".withoutHeaders." + entry.getKey());
                if (decided(() -> covers(theirs, mine))) {
                    continue;
                }
                if (!decided(() -> covers(mine, theirs))) {
                    throw new Undecidable(where + ".withoutHeaders." + entry.getKey() + " (" + theirs + ") and "
                            + "spec.target.match.withoutHeaders." + entry.getKey() + " (" + mine + "): one Istio match cannot "
                            + "exclude both from one header");
                }
            }
            object(result, "withoutHeaders").set(entry.getKey(), mine.json());
        }
    }

    /** A header both required and excluded for all the values it may have leaves no request. */
    private static void checkExclusions(ObjectNode result, String where) throws Empty {
        for (Iterator<Map.Entry<String, JsonNode>> it = result.path("withoutHeaders").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> excluded = it.next();
            JsonNode required = result.path("headers").path(excluded.getKey());
            if (required.isMissingNode()) {
                continue;
            }
            try {
                if (covers(Condition.of(excluded.getValue(), "withoutHeaders"), Condition.of(required, "headers"))) {
                    throw new Empty(where + ": header " + excluded.getKey() + " must match " + required + " and must not match "
                            + excluded.getValue());
                }
            } catch (Undecidable e) {
                // both conditions are written; Istio applies both, so the match stays exact
            }
        }
    }

    private static boolean coversAll(JsonNode conditions, Map<String, Target.StringMatch> wanted) throws Undecidable {
        for (Iterator<Map.Entry<String, JsonNode>> it = conditions.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> condition = it.next();
            Target.StringMatch mine = wanted.get(condition.getKey());
            if (mine == null || !covers(Condition.of(condition.getValue(), condition.getKey()), Condition.of(mine))) {
                return false;
            }
        }
        return true;
    }

    /** Whether the target excludes at least what the block excludes, header by header. */
    private static boolean excludesAll(JsonNode exclusions, Map<String, Target.StringMatch> mine) throws Undecidable {
        for (Iterator<Map.Entry<String, JsonNode>> it = exclusions.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> excluded = it.next();
            Target.StringMatch own = mine.get(excluded.getKey());
            if (own == null || !covers(Condition.of(own), Condition.of(excluded.getValue(), excluded.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean labelsWithin(JsonNode labels, Map<String, String> mine) {
        for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> label = it.next();
            if (!label.getValue().asText().equals(mine.get(label.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private interface Decision {
        boolean get() throws Undecidable;
    }

    private static boolean decided(Decision decision) {
        try {
            return decision.get();
        } catch (Undecidable e) {
            return false;
        }
    }

    private static Target.StringMatch stringField(Target.Match match, String field) {
        return switch (field) {
            case "uri" -> match.uri();
            case "scheme" -> match.scheme();
            case "method" -> match.method();
            case "authority" -> match.authority();
            default -> throw new IllegalArgumentException(field);
        };
    }

    private static ObjectNode object(ObjectNode parent, String field) {
        return parent.get(field) instanceof ObjectNode existing ? existing : parent.putObject(field);
    }

    private static boolean containsText(JsonNode array, String value) {
        for (JsonNode item : array) {
            if (Objects.equals(item.asText(), value)) {
                return true;
            }
        }
        return false;
    }
}

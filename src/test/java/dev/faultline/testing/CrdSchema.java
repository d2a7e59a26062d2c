package dev.faultline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Validates custom resources against the structural OpenAPI v3 schema of their CustomResourceDefinition, the way
 * the Kubernetes apiserver does, so that tests can prove every resource the application writes would be accepted.
 * <p>
 * It is stricter than the apiserver in one respect: a field the schema does not declare is an error, where the
 * apiserver would silently prune it, because a field we write that gets pruned is a bug.
 * <p>
 * Only the schema keywords in {@link #KEYWORDS} and the CEL rules in {@link #RULES} are understood. Loading a CRD that
 * uses anything else fails with an {@link IllegalStateException}, so the validator never passes a resource by
 * ignoring part of its schema.
 */
public final class CrdSchema {

    private static final Path ISTIO_CRDS = IstioFixtures.FOLDER.resolve("istio-crds-virtualservice-destinationrule.yaml");

    /** Fields of every resource that the apiserver handles itself rather than through the CRD schema. */
    private static final Set<String> IMPLICIT_FIELDS = Set.of("apiVersion", "kind", "metadata");

    private static final Set<String> TYPES = Set.of("", "object", "array", "string", "integer", "number", "boolean");

    private static final Set<String> KEYWORDS = Set.of(
            "description", "title", "example", "externalDocs",
            "type", "nullable", "enum", "format",
            "properties", "required", "additionalProperties", "maxProperties", "minProperties",
            "items", "maxItems", "minItems",
            "maxLength", "minLength", "pattern",
            "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
            "allOf", "anyOf", "oneOf", "not",
            "x-kubernetes-validations", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string");

    /** Every CEL rule that occurs in the CRDs we validate against, as a predicate on {@code self}. */
    private static final Map<String, Predicate<JsonNode>> RULES = Map.of(
            "duration(self) >= duration('1ms')",
            self -> parseGoDuration(text(self)).compareTo(Duration.ofMillis(1)) >= 0,
            "!self.contains(\"*\")",
            self -> !text(self).contains("*"),
            "self.all(key, !key.contains(\"*\"))",
            self -> keys(self).stream().noneMatch(key -> key.contains("*")),
            "self.all(key, key.size() != 0)",
            self -> keys(self).stream().allMatch(key -> !key.isEmpty()));

    private static final Map<String, Range> INTEGER_FORMATS = Map.of(
            "int32", new Range(BigInteger.valueOf(Integer.MIN_VALUE), BigInteger.valueOf(Integer.MAX_VALUE)),
            "uint32", new Range(BigInteger.ZERO, BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE)),
            "int64", new Range(BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MAX_VALUE)));

    private static final Pattern DURATION_PART = Pattern.compile("(\\d*)(?:\\.(\\d*))?([^.\\d]*)");

    private static final Map<String, Long> DURATION_UNITS = Map.of(
            "ns", 1L,
            "us", 1_000L,
            "\u00b5s", 1_000L,
            "\u03bcs", 1_000L,
            "ms", 1_000_000L,
            "s", 1_000_000_000L,
            "m", 60_000_000_000L,
            "h", 3_600_000_000_000L);

    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

    private final Map<Kind, Crd> crds;

    private CrdSchema(Map<Kind, Crd> crds) {
        this.crds = crds;
    }

    /** Loads the Istio CRDs from the fixtures folder (cached). */
    public static CrdSchema istio() {
        return Istio.SCHEMA;
    }

    /**
     * Loads every CustomResourceDefinition in a multi-document YAML file.
     *
     * @throws IllegalStateException if a schema uses a keyword or CEL rule this validator does not support
     */
    static CrdSchema load(Path file) {
        Map<Kind, Crd> crds = new HashMap<>();
        try (MappingIterator<JsonNode> documents = new YAMLMapper().readerFor(JsonNode.class).readValues(file.toFile())) {
            while (documents.hasNextValue()) {
                JsonNode document = documents.nextValue();
                if (document != null && document.isObject() && !document.isEmpty()) {
                    Crd crd = Crd.of(document);
                    crds.put(crd.kind(), crd);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read CRDs from " + file, e);
        }
        return new CrdSchema(Map.copyOf(crds));
    }

    /**
     * Validates a whole resource: {@code apiVersion} and {@code kind} must name a served version of a known CRD,
     * {@code metadata} must be an object with a non-empty string {@code name}, and every other field (such as
     * {@code spec} and {@code status}) must be valid against that version's schema.
     *
     * @return one {@code "<path>: <message>"} entry per problem, for example
     *         {@code "spec.http[0].fault.delay.fixedDelay: must be a valid duration greater than 1ms"}; empty when valid
     */
    public List<String> validate(JsonNode resource) {
        if (resource == null || !resource.isObject()) {
            return List.of(error("", "must be an object"));
        }
        List<String> errors = new ArrayList<>();
        JsonNode schema = schemaFor(resource, errors);
        checkMetadata(resource.get("metadata"), errors);
        if (schema != null) {
            ObjectNode body = ((ObjectNode) resource).deepCopy();
            body.remove(IMPLICIT_FIELDS);
            check(body, schema, "", true, errors);
        }
        return List.copyOf(errors);
    }

    /**
     * Asserts that a resource is valid.
     *
     * @throws AssertionError listing every error with its path when {@link #validate} finds any
     */
    public void assertValid(JsonNode resource) {
        List<String> errors = validate(resource);
        if (!errors.isEmpty()) {
            throw new AssertionError("%s \"%s\" is not valid against its CRD schema:%n  %s".formatted(
                    resource.path("kind").asText("resource"), resource.path("metadata").path("name").asText(""),
                    String.join(System.lineSeparator() + "  ", errors)));
        }
    }

    private JsonNode schemaFor(JsonNode resource, List<String> errors) {
        String apiVersion = resource.path("apiVersion").asText("");
        String kind = resource.path("kind").asText("");
        int slash = apiVersion.indexOf('/');
        if (slash < 0) {
            errors.add(error("apiVersion", "must be <group>/<version>, got \"" + apiVersion + "\""));
            return null;
        }
        String group = apiVersion.substring(0, slash);
        String version = apiVersion.substring(slash + 1);
        Crd crd = crds.get(new Kind(group, kind));
        if (crd == null) {
            errors.add(error("kind", "no CRD defines kind \"" + kind + "\" in group " + group));
            return null;
        }
        JsonNode schema = crd.schemas().get(version);
        if (schema == null) {
            errors.add(error("apiVersion", "%s does not serve version \"%s\" (served: %s)"
                    .formatted(crd.name(), version, String.join(", ", crd.schemas().keySet()))));
        }
        return schema;
    }

    private static void checkMetadata(JsonNode metadata, List<String> errors) {
        if (metadata == null || !metadata.isObject()) {
            errors.add(error("metadata", "must be an object"));
            return;
        }
        JsonNode name = metadata.get("name");
        if (name == null || !name.isTextual() || name.asText().isEmpty()) {
            errors.add(error("metadata.name", "must be a non-empty string"));
        }
    }

    /**
     * Checks {@code value} against {@code schema}. Structural schemas decide which fields exist; the branches of
     * {@code allOf}, {@code anyOf}, {@code oneOf} and {@code not} only add constraints, so they never report unknown
     * fields.
     */
    private static void check(JsonNode value, JsonNode schema, String path, boolean structural, List<String> errors) {
        if (value.isNull()) {
            if (!schema.path("nullable").asBoolean(false)) {
                errors.add(error(path, "must not be null"));
            }
            return;
        }
        if (!hasType(value, schema, path, errors)) {
            return;
        }
        checkEnum(value, schema, path, errors);
        switch (value.getNodeType()) {
            case NUMBER -> checkNumber(value, schema, path, errors);
            case STRING -> checkString(value.asText(), schema, path, errors);
            case ARRAY -> checkArray(value, schema, path, structural, errors);
            case OBJECT -> checkObject(value, schema, path, structural, errors);
            default -> {
            }
        }
        checkJunctors(value, schema, path, errors);
        checkRules(value, schema, path, errors);
    }

    private static boolean hasType(JsonNode value, JsonNode schema, String path, List<String> errors) {
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            boolean intOrString = isInteger(value) || value.isTextual();
            if (!intOrString) {
                errors.add(error(path, "must be an integer or a string, got " + describe(value)));
            }
            return intOrString;
        }
        String type = schema.path("type").asText("");
        boolean matches = switch (type) {
            case "" -> true;
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> isInteger(value);
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> throw new IllegalStateException("Unsupported schema type \"" + type + "\" at " + path);
        };
        if (!matches) {
            errors.add(error(path, "must be of type " + type + ", got " + describe(value)));
        }
        return matches;
    }

    private static void checkEnum(JsonNode value, JsonNode schema, String path, List<String> errors) {
        JsonNode allowed = schema.get("enum");
        if (allowed != null && elements(allowed).noneMatch(candidate -> sameValue(candidate, value))) {
            errors.add(error(path, "must be one of " + allowed + ", got " + value));
        }
    }

    private static void checkNumber(JsonNode value, JsonNode schema, String path, List<String> errors) {
        BigDecimal number = value.decimalValue();
        JsonNode minimum = schema.get("minimum");
        if (minimum != null) {
            boolean exclusive = schema.path("exclusiveMinimum").asBoolean(false);
            int comparison = number.compareTo(minimum.decimalValue());
            if (exclusive ? comparison <= 0 : comparison < 0) {
                errors.add(error(path, "must be " + (exclusive ? "> " : ">= ") + minimum + ", got " + value));
            }
        }
        JsonNode maximum = schema.get("maximum");
        if (maximum != null) {
            boolean exclusive = schema.path("exclusiveMaximum").asBoolean(false);
            int comparison = number.compareTo(maximum.decimalValue());
            if (exclusive ? comparison >= 0 : comparison > 0) {
                errors.add(error(path, "must be " + (exclusive ? "< " : "<= ") + maximum + ", got " + value));
            }
        }
        String format = schema.path("format").asText("");
        Range range = INTEGER_FORMATS.get(format);
        if (range != null && isInteger(value) && !range.contains(number.toBigInteger())) {
            errors.add(error(path, "must be a valid %s in %s, got %s".formatted(format, range, value)));
        }
    }

    private static void checkString(String text, JsonNode schema, String path, List<String> errors) {
        int length = text.codePointCount(0, text.length());
        JsonNode maxLength = schema.get("maxLength");
        if (maxLength != null && length > maxLength.asInt()) {
            errors.add(error(path, "must be at most " + maxLength + " characters long, got " + length));
        }
        JsonNode minLength = schema.get("minLength");
        if (minLength != null && length < minLength.asInt()) {
            errors.add(error(path, "must be at least " + minLength + " characters long, got " + length));
        }
        JsonNode pattern = schema.get("pattern");
        if (pattern != null && !PATTERNS.computeIfAbsent(pattern.asText(), Pattern::compile).matcher(text).find()) {
            errors.add(error(path, "must match pattern " + pattern + ", got \"" + text + "\""));
        }
    }

    private static void checkArray(JsonNode array, JsonNode schema, String path, boolean structural,
            List<String> errors) {
        checkSize(array.size(), "items", schema.get("minItems"), schema.get("maxItems"), path, errors);
        JsonNode items = schema.get("items");
        if (items != null) {
            for (int i = 0; i < array.size(); i++) {
                check(array.get(i), items, path + "[" + i + "]", structural, errors);
            }
        }
    }

    private static void checkObject(JsonNode object, JsonNode schema, String path, boolean structural,
            List<String> errors) {
        checkSize(object.size(), "properties", schema.get("minProperties"), schema.get("maxProperties"), path, errors);
        for (JsonNode required : schema.path("required")) {
            if (!object.has(required.asText())) {
                errors.add(error(child(path, required.asText()), "required field is missing"));
            }
        }
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.get("additionalProperties");
        boolean closed = structural && rejectsUnknownFields(schema);
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            String name = field.getKey();
            JsonNode property = properties.get(name);
            if (property != null) {
                check(field.getValue(), property, child(path, name), structural, errors);
            } else if (additional != null && additional.isObject()) {
                check(field.getValue(), additional, path + "[" + name + "]", structural, errors);
            } else if (closed) {
                errors.add(error(child(path, name), "unknown field (the apiserver would silently prune it)"));
            }
        }
    }

    private static boolean rejectsUnknownFields(JsonNode schema) {
        JsonNode additional = schema.get("additionalProperties");
        boolean allowsAdditional = additional != null && (additional.isObject() || additional.asBoolean());
        boolean declaresObject = schema.has("properties") || "object".equals(schema.path("type").asText());
        return declaresObject && !allowsAdditional
                && !schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    }

    private static void checkSize(int size, String what, JsonNode min, JsonNode max, String path,
            List<String> errors) {
        if (min != null && size < min.asInt()) {
            errors.add(error(path, "must have at least %s %s, got %d".formatted(min, what, size)));
        }
        if (max != null && size > max.asInt()) {
            errors.add(error(path, "must have at most %s %s, got %d".formatted(max, what, size)));
        }
    }

    private static void checkJunctors(JsonNode value, JsonNode schema, String path, List<String> errors) {
        for (JsonNode branch : schema.path("allOf")) {
            check(value, branch, path, false, errors);
        }
        JsonNode anyOf = schema.get("anyOf");
        if (anyOf != null && elements(anyOf).noneMatch(branch -> matches(value, branch, path))) {
            errors.add(error(path, "must match at least one anyOf branch, but matched none of: " + branches(anyOf)));
        }
        JsonNode oneOf = schema.get("oneOf");
        if (oneOf != null) {
            List<Integer> matched = IntStream.range(0, oneOf.size())
                    .filter(i -> matches(value, oneOf.get(i), path)).boxed().toList();
            if (matched.isEmpty()) {
                errors.add(error(path, "must match exactly one oneOf branch, but matched none of: " + branches(oneOf)));
            } else if (matched.size() > 1) {
                errors.add(error(path, "must match exactly one oneOf branch, but matched %d: %s".formatted(
                        matched.size(), matched.stream().map(i -> branch(oneOf, i)).collect(Collectors.joining(", ")))));
            }
        }
        JsonNode not = schema.get("not");
        if (not != null && matches(value, not, path)) {
            errors.add(error(path, "must not match " + abbreviate(not)));
        }
    }

    private static boolean matches(JsonNode value, JsonNode branch, String path) {
        List<String> branchErrors = new ArrayList<>();
        check(value, branch, path, false, branchErrors);
        return branchErrors.isEmpty();
    }

    private static void checkRules(JsonNode value, JsonNode schema, String path, List<String> errors) {
        for (JsonNode validation : schema.path("x-kubernetes-validations")) {
            String rule = validation.path("rule").asText();
            String message = validation.path("message").asText("failed rule: " + rule);
            try {
                if (!rule(rule).test(value)) {
                    errors.add(error(path, message));
                }
            } catch (RuleEvaluationException e) {
                errors.add(error(path, message + " (" + e.getMessage() + ")"));
            }
        }
    }

    private static Predicate<JsonNode> rule(String rule) {
        Predicate<JsonNode> predicate = RULES.get(rule);
        if (predicate == null) {
            throw new IllegalStateException("Unsupported x-kubernetes-validations rule: " + rule
                    + " (implement it in CrdSchema.RULES)");
        }
        return predicate;
    }

    /**
     * Parses a duration as CEL's {@code duration()} does, with Go's {@code time.ParseDuration} syntax: an optional
     * sign and a sequence of decimal numbers, each with an optional fraction and a unit, such as "7s", "1.5h" or
     * "1m30s"; "0" needs no unit.
     */
    private static Duration parseGoDuration(String text) {
        boolean negative = text.startsWith("-");
        String unsigned = negative || text.startsWith("+") ? text.substring(1) : text;
        if (unsigned.equals("0")) {
            return Duration.ZERO;
        }
        if (unsigned.isEmpty()) {
            throw new RuleEvaluationException("invalid duration \"" + text + "\"");
        }
        BigInteger nanos = BigInteger.ZERO;
        Matcher part = DURATION_PART.matcher(unsigned);
        for (int position = 0; position < unsigned.length(); position = part.end()) {
            part.region(position, unsigned.length()).lookingAt();
            String whole = part.group(1);
            String fraction = part.group(2) == null ? "" : part.group(2);
            Long unit = DURATION_UNITS.get(part.group(3));
            if (whole.isEmpty() && fraction.isEmpty() || unit == null) {
                throw new RuleEvaluationException("invalid duration \"" + text + "\"");
            }
            BigDecimal amount = new BigDecimal((whole.isEmpty() ? "0" : whole) + "." + fraction + "0");
            nanos = nanos.add(amount.multiply(BigDecimal.valueOf(unit)).setScale(0, RoundingMode.DOWN).toBigInteger());
        }
        if (nanos.bitLength() > 63) {
            throw new RuleEvaluationException("invalid duration \"" + text + "\" (out of range)");
        }
        return Duration.ofNanos(negative ? -nanos.longValue() : nanos.longValue());
    }

    private static String text(JsonNode self) {
        if (!self.isTextual()) {
            throw new RuleEvaluationException("expected a string, got " + describe(self));
        }
        return self.asText();
    }

    private static List<String> keys(JsonNode self) {
        if (!self.isObject()) {
            throw new RuleEvaluationException("expected a map, got " + describe(self));
        }
        return self.properties().stream().map(Map.Entry::getKey).toList();
    }

    private static boolean isInteger(JsonNode value) {
        return value.isIntegralNumber()
                || value.isFloatingPointNumber() && Double.isFinite(value.doubleValue())
                        && value.doubleValue() == Math.rint(value.doubleValue());
    }

    private static boolean sameValue(JsonNode a, JsonNode b) {
        return a.isNumber() && b.isNumber() ? a.decimalValue().compareTo(b.decimalValue()) == 0 : a.equals(b);
    }

    private static String describe(JsonNode value) {
        return switch (value.getNodeType()) {
            case OBJECT -> "object";
            case ARRAY -> "array";
            case STRING -> "string " + value;
            case BOOLEAN -> "boolean " + value;
            case NUMBER -> (isInteger(value) ? "integer " : "number ") + value;
            default -> value.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    private static Stream<JsonNode> elements(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }

    private static String branches(JsonNode junctor) {
        return IntStream.range(0, junctor.size()).mapToObj(i -> branch(junctor, i)).collect(Collectors.joining(", "));
    }

    private static String branch(JsonNode junctor, int index) {
        return "#" + index + " " + abbreviate(junctor.get(index));
    }

    private static String abbreviate(JsonNode schema) {
        String json = schema.toString();
        return json.length() <= 120 ? json : json.substring(0, 117) + "...";
    }

    private static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String error(String path, String message) {
        return (path.isEmpty() ? "(root)" : path) + ": " + message;
    }

    /** Fails loudly when a schema uses a keyword or CEL rule that {@link #check} would not enforce. */
    private static void checkSupported(JsonNode schema, String where) {
        for (Map.Entry<String, JsonNode> keyword : schema.properties()) {
            if (!KEYWORDS.contains(keyword.getKey())) {
                throw new IllegalStateException("Unsupported schema keyword \"" + keyword.getKey() + "\" at " + where);
            }
        }
        if (!TYPES.contains(schema.path("type").asText(""))) {
            throw new IllegalStateException("Unsupported schema type " + schema.get("type") + " at " + where);
        }
        for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
            checkSupported(property.getValue(), where + "." + property.getKey());
        }
        if (schema.has("items")) {
            checkSupported(schema.get("items"), where + "[*]");
        }
        if (schema.path("additionalProperties").isObject()) {
            checkSupported(schema.get("additionalProperties"), where + "[*]");
        }
        if (schema.has("not")) {
            checkSupported(schema.get("not"), where + " (not)");
        }
        for (String junctor : List.of("allOf", "anyOf", "oneOf")) {
            JsonNode branches = schema.path(junctor);
            for (int i = 0; i < branches.size(); i++) {
                checkSupported(branches.get(i), where + " (" + junctor + " #" + i + ")");
            }
        }
        for (JsonNode validation : schema.path("x-kubernetes-validations")) {
            rule(validation.path("rule").asText());
        }
    }

    /** A CRD's group and kind, which together with the version from apiVersion select a schema. */
    private record Kind(String group, String kind) {
    }

    /** One CustomResourceDefinition: its name and the openAPIV3Schema of each served version, by version name. */
    private record Crd(String name, Kind kind, Map<String, JsonNode> schemas) {

        static Crd of(JsonNode definition) {
            String name = definition.path("metadata").path("name").asText();
            if (!"CustomResourceDefinition".equals(definition.path("kind").asText())) {
                throw new IllegalStateException("Not a CustomResourceDefinition: " + name);
            }
            JsonNode spec = definition.path("spec");
            SortedMap<String, JsonNode> schemas = new TreeMap<>();
            for (JsonNode version : spec.path("versions")) {
                if (version.path("served").asBoolean(false)) {
                    JsonNode schema = version.path("schema").path("openAPIV3Schema");
                    String versionName = version.path("name").asText();
                    checkSupported(schema, name + " " + versionName);
                    schemas.put(versionName, schema);
                }
            }
            return new Crd(name, new Kind(spec.path("group").asText(), spec.path("names").path("kind").asText()),
                    Collections.unmodifiableSortedMap(schemas));
        }
    }

    /** An inclusive range of integers, as allowed by an integer {@code format}. */
    private record Range(BigInteger min, BigInteger max) {

        boolean contains(BigInteger value) {
            return value.compareTo(min) >= 0 && value.compareTo(max) <= 0;
        }

        @Override
        public String toString() {
            return "[" + min + ", " + max + "]";
        }
    }

    /** A CEL rule could not be evaluated, as when {@code duration()} gets a string that is not a duration. */
    private static final class RuleEvaluationException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        RuleEvaluationException(String message) {
            super(message);
        }
    }

    /** Holds the Istio CRDs, loaded on first use. */
    private static final class Istio {

        static final CrdSchema SCHEMA = load(ISTIO_CRDS);
    }
}

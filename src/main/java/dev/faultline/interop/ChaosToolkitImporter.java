package dev.faultline.interop;

import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.experiment.spec.Durations;
import dev.faultline.experiment.spec.Experiment;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.experiment.spec.FieldError;
import dev.faultline.experiment.spec.InvalidDocumentException;
import dev.faultline.experiment.spec.StatusRange;

/**
 * Turns a Chaos Toolkit experiment into a Faultline Experiment document. What maps is mapped, and
 * everything else is listed in {@link Result#unmapped()} with its path and the reason — nothing is
 * dropped silently. Input Chaos Toolkit itself would refuse ({@code chaos validate}) is refused
 * here too, every offending path listed ({@link InvalidDocumentException}).
 *
 * <p>The document may be incomplete (an experiment without Istio faults has no target or faults);
 * {@link Result#errors()} then says what a user must add, by Faultline path.
 */
public final class ChaosToolkitImporter {

    static final String ISTIO_ACTIONS = "chaosistio.fault.actions";
    static final String PROMETHEUS_PROBES = "chaosprometheus.probes";
    static final String K8S_DEPLOYMENT_PROBES = "chaosk8s.deployment.probes";
    static final String K8S_DEPLOYMENT_HEALTHY = "deployment_available_and_healthy";
    static final String SAFEGUARDS = "chaosaddons.controls.safeguards";
    static final Pattern PROMETHEUS_VALUE_PATH = Pattern.compile("\\$\\.data\\.result\\[(\\d+|\\*)]\\.value\\[1]");

    private static final Set<String> TOP_LEVEL = Set.of("version", "title", "description", "tags", "contributions", "configuration",
            "secrets", "extensions", "controls", "steady-state-hypothesis", "method", "rollbacks", "runtime");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The document, what did not map, and what the document still lacks to be stored. */
    public record Result(ObjectNode experiment, List<Unmapped> unmapped, List<FieldError> errors) {

        public boolean complete() {
            return errors.isEmpty();
        }
    }

    private final Function<String, Optional<String>> environment;

    /** {@code environment}: the environment variables the import may read (none, unless the operator allowed some). */
    public ChaosToolkitImporter(Function<String, Optional<String>> environment) {
        this.environment = environment;
    }

    /**
     * Maps {@code experiment}; {@code vars} are values for configuration names, as {@code chaos run
     * --var} gives them; {@code name} overrides the name derived from the title.
     */
    public Result read(JsonNode experiment, Map<String, String> vars, Optional<String> name) {
        return new Reading(experiment, vars, environment).read(name);
    }

    /** One import: the errors and unmapped parts found so far, and the document being built. */
    private static final class Reading {

        private final JsonNode source;
        private final List<FieldError> errors = new ArrayList<>();
        private final List<Unmapped> unmapped = new ArrayList<>();
        private final Map<String, JsonNode> activities = new HashMap<>();
        private final Substitutions substitutions;
        /** Faultline's target, faults and duration as the method's Istio actions give them. */
        private ObjectNode target;
        private final ArrayNode faults = NODES.arrayNode();
        private final List<String> faultedRoutes = new ArrayList<>();
        private double seconds;

        Reading(JsonNode source, Map<String, String> vars, Function<String, Optional<String>> environment) {
            this.source = source;
            if (!source.isObject()) {
                throw new InvalidDocumentException(List.of(new FieldError(ExperimentCodec.DOCUMENT,
                        "must be a Chaos Toolkit experiment: an object with title, description and method")));
            }
            JsonNode configuration = objectOrNull("configuration");
            JsonNode secrets = objectOrNull("secrets");
            if (secrets != null) {
                secrets.properties().forEach(scope -> {
                    if (!scope.getValue().isObject()) {
                        errors.add(new FieldError("secrets." + scope.getKey(), "must be an object of secrets, one scope per key"));
                    }
                });
            }
            this.substitutions = new Substitutions(configuration, secrets == null || !errors.isEmpty() ? null : secrets, vars, environment);
        }

        private JsonNode objectOrNull(String key) {
            JsonNode node = source.get(key);
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isObject()) {
                errors.add(new FieldError(key, "must be an object"));
                return null;
            }
            return node;
        }

        Result read(Optional<String> name) {
            String title = requiredText("title");
            String description = requiredText("description");
            source.fieldNames().forEachRemaining(key -> {
                if (!TOP_LEVEL.contains(key)) {
                    unmapped.add(new Unmapped(key, "is not a Chaos Toolkit field Faultline knows"));
                }
            });
            indexActivities();
            ObjectNode document = NODES.objectNode();
            document.put("apiVersion", Experiment.API_VERSION).put("kind", Experiment.KIND);
            ObjectNode metadata = document.putObject("metadata");
            metadata.put("name", name.orElseGet(() -> slug(title)));
            if (title != null) {
                metadata.put("description", description == null ? title : title + "\n\n" + description);
            }
            ArrayNode tags = tags();
            if (!tags.isEmpty()) {
                metadata.set("tags", tags);
            }
            if (source.has("version")) {
                unmapped.add(new Unmapped("version", "is Chaos Toolkit's format version; Faultline documents are "
                        + Experiment.API_VERSION + " and keep their own revisions"));
            }
            for (String key : List.of("contributions", "runtime", "extensions")) {
                if (source.has(key)) {
                    unmapped.add(new Unmapped(key, "has no Faultline equivalent"));
                }
            }
            ArrayNode probes = hypothesis();
            method();
            rollbacks();
            ArrayNode guardrails = controls();
            unusedConfiguration();
            if (!errors.isEmpty()) {
                throw new InvalidDocumentException(errors);
            }
            ObjectNode spec = document.putObject("spec");
            if (target != null) {
                spec.set("target", target);
            }
            if (!faults.isEmpty()) {
                spec.set("faults", faults);
            }
            if (seconds > 0) {
                spec.put("duration", Durations.format(Duration.ofMillis(Math.round(seconds * 1000))));
            }
            if (!probes.isEmpty()) {
                spec.putObject("steadyState").set("probes", probes);
            }
            if (!guardrails.isEmpty()) {
                spec.set("guardrails", guardrails);
            }
            List<FieldError> problems = ExperimentCodec.check(document);
            ObjectNode result = problems.isEmpty() ? ExperimentCodec.toTree(ExperimentCodec.decode(document)) : document;
            return new Result(result, List.copyOf(unmapped), problems);
        }

        private String requiredText(String key) {
            JsonNode node = source.get(key);
            if (node == null || !node.isTextual() || node.asText().isBlank()) {
                errors.add(new FieldError(key, "is required: a non-empty string (Chaos Toolkit requires it too)"));
                return null;
            }
            return node.asText().strip();
        }

        private ArrayNode tags() {
            ArrayNode tags = NODES.arrayNode();
            JsonNode given = source.get("tags");
            if (given == null) {
                return tags;
            }
            if (!given.isArray()) {
                errors.add(new FieldError("tags", "must be a list of strings"));
                return tags;
            }
            for (int i = 0; i < given.size(); i++) {
                JsonNode tag = given.get(i);
                if (!tag.isTextual() || tag.asText().isEmpty()) {
                    errors.add(new FieldError("tags[" + i + "]", "must be a non-empty string"));
                } else if (!TAG.matcher(tag.asText()).matches()) {
                    unmapped.add(new Unmapped("tags[" + i + "]", "\"" + tag.asText() + "\" is not a Faultline tag (letters, digits, "
                            + "'-', '_' and '.', at most 63)"));
                } else {
                    tags.add(tag.asText());
                }
            }
            return tags;
        }

        /** Names of the method's activities and the hypothesis' probes, for {@code ref}; the hypothesis wins a tie. */
        private void indexActivities() {
            JsonNode method = source.get("method");
            if (method != null && method.isArray()) {
                method.forEach(a -> {
                    if (a.isObject() && a.path("name").isTextual()) {
                        activities.put(a.path("name").asText(), a);
                    }
                });
            }
            JsonNode probes = source.path("steady-state-hypothesis").path("probes");
            if (probes.isArray()) {
                probes.forEach(a -> {
                    if (a.isObject() && a.path("name").isTextual()) {
                        activities.put(a.path("name").asText(), a);
                    }
                });
            }
        }

        /** The activity itself, or the one a {@code ref} names; empty (with an error) when invalid. */
        private Optional<JsonNode> activity(JsonNode entry, String path) {
            if (!entry.isObject() || entry.isEmpty()) {
                errors.add(new FieldError(path, "must be an activity: an object with type, name and provider, or a ref"));
                return Optional.empty();
            }
            if (entry.has("ref")) {
                JsonNode ref = entry.get("ref");
                if (!ref.isTextual() || ref.asText().isEmpty()) {
                    errors.add(new FieldError(path + ".ref", "must name a probe or action"));
                    return Optional.empty();
                }
                JsonNode target = activities.get(ref.asText());
                if (target == null) {
                    errors.add(new FieldError(path + ".ref", "refers to \"" + ref.asText() + "\", which is no probe or action of this experiment"));
                    return Optional.empty();
                }
                return valid(target, path) ? Optional.of(target) : Optional.empty();
            }
            return valid(entry, path) ? Optional.of(entry) : Optional.empty();
        }

        private boolean valid(JsonNode activity, String path) {
            int before = errors.size();
            String type = activity.path("type").asText(null);
            if (!"probe".equals(type) && !"action".equals(type)) {
                errors.add(new FieldError(path + ".type", "must be probe or action"));
            }
            if (!activity.path("name").isTextual() || activity.path("name").asText().isEmpty()) {
                errors.add(new FieldError(path + ".name", "is required: a non-empty string"));
            }
            JsonNode provider = activity.get("provider");
            if (provider == null || !provider.isObject()) {
                errors.add(new FieldError(path + ".provider", "is required: an object with a type of python, process or http"));
            } else {
                switch (provider.path("type").asText("")) {
                    case "python" -> {
                        requireText(provider, "module", path + ".provider");
                        requireText(provider, "func", path + ".provider");
                        if (provider.has("arguments") && !provider.get("arguments").isObject()) {
                            errors.add(new FieldError(path + ".provider.arguments", "must be an object of the function's arguments"));
                        }
                    }
                    case "process" -> requireText(provider, "path", path + ".provider");
                    case "http" -> {
                        requireText(provider, "url", path + ".provider");
                        if (provider.has("headers") && !provider.get("headers").isObject()) {
                            errors.add(new FieldError(path + ".provider.headers", "must be an object of header names and values"));
                        }
                    }
                    default -> errors.add(new FieldError(path + ".provider.type", "must be python, process or http"));
                }
            }
            JsonNode pauses = activity.get("pauses");
            if (pauses != null) {
                if (!pauses.isObject()) {
                    errors.add(new FieldError(path + ".pauses", "must be an object with before and/or after, in seconds"));
                } else {
                    for (String when : List.of("before", "after")) {
                        JsonNode pause = pauses.get(when);
                        if (pause != null && !(pause.isNumber() && pause.asDouble() >= 0) && !(pause.isTextual() && pause.asText().matches("\\$\\{\\w+}"))) {
                            errors.add(new FieldError(path + ".pauses." + when, "must be a number of seconds"));
                        }
                    }
                }
            }
            if (activity.has("background") && !activity.get("background").isBoolean()) {
                errors.add(new FieldError(path + ".background", "must be true or false"));
            }
            return errors.size() == before;
        }

        private void requireText(JsonNode node, String key, String path) {
            if (!node.path(key).isTextual() || node.path(key).asText().isEmpty()) {
                errors.add(new FieldError(path + "." + key, "is required: a non-empty string"));
            }
        }

        private static String function(JsonNode activity) {
            JsonNode provider = activity.path("provider");
            return provider.path("module").asText() + "." + provider.path("func").asText();
        }

        private static boolean python(JsonNode activity, String module, String... functions) {
            JsonNode provider = activity.path("provider");
            return "python".equals(provider.path("type").asText()) && module.equals(provider.path("module").asText())
                    && (functions.length == 0 || List.of(functions).contains(provider.path("func").asText()));
        }

        // ---- steady-state hypothesis ------------------------------------------------------------

        private ArrayNode hypothesis() {
            ArrayNode probes = NODES.arrayNode();
            JsonNode hypothesis = source.get("steady-state-hypothesis");
            if (hypothesis == null) {
                return probes;
            }
            String path = "steady-state-hypothesis";
            if (!hypothesis.isObject()) {
                errors.add(new FieldError(path, "must be an object with a title and probes"));
                return probes;
            }
            if (!hypothesis.path("title").isTextual() || hypothesis.path("title").asText().isBlank()) {
                errors.add(new FieldError(path + ".title", "is required: a non-empty string (Chaos Toolkit requires it too)"));
            } else {
                unmapped.add(new Unmapped(path + ".title", "Faultline names each probe, not the hypothesis"));
            }
            if (hypothesis.has("controls")) {
                unmapped.add(new Unmapped(path + ".controls", "controls of the hypothesis have no Faultline equivalent"));
            }
            JsonNode entries = hypothesis.get("probes");
            if (entries == null) {
                return probes;
            }
            if (!entries.isArray()) {
                errors.add(new FieldError(path + ".probes", "must be a list of probes"));
                return probes;
            }
            for (int i = 0; i < entries.size(); i++) {
                String at = path + ".probes[" + i + "]";
                JsonNode entry = entries.get(i);
                if (entry.isObject() && !entry.has("tolerance")) {
                    errors.add(new FieldError(at + ".tolerance", "is required for a probe of the hypothesis"));
                    continue;
                }
                Optional<JsonNode> probe = activity(entry, at);
                if (probe.isEmpty() || !validTolerance(entry.get("tolerance"), at + ".tolerance")) {
                    continue;
                }
                if (!"probe".equals(probe.get().path("type").asText())) {
                    unmapped.add(new Unmapped(at, "is an action; the hypothesis of Faultline holds probes only"));
                    continue;
                }
                Optional<ObjectNode> mapped = check(probe.get(), entry.get("tolerance"), at);
                mapped.ifPresent(p -> probes.add(unique(p, probes, at)));
                if (mapped.isPresent() && probe.get().has("pauses")) {
                    unmapped.add(new Unmapped(at + ".pauses", "Faultline does not pause between the probes of the steady state"));
                }
            }
            return probes;
        }

        /** Faultline's checks have unique names; a second use of one (a ref checked again) gets a number. */
        private ObjectNode unique(ObjectNode check, ArrayNode list, String path) {
            String name = check.path("name").asText();
            Set<String> taken = new java.util.HashSet<>();
            list.forEach(existing -> taken.add(existing.path("name").asText()));
            if (!taken.contains(name)) {
                return check;
            }
            int n = 2;
            while (taken.contains(name + " #" + n)) {
                n++;
            }
            check.put("name", name + " #" + n);
            unmapped.add(new Unmapped(path, "named \"" + name + " #" + n + "\": each Faultline check has its own name"));
            return check;
        }

        private boolean validTolerance(JsonNode tolerance, String path) {
            if (tolerance == null || tolerance.isNull() || tolerance.isFloatingPointNumber() || !(tolerance.isBoolean()
                    || tolerance.isIntegralNumber() || tolerance.isTextual() || tolerance.isArray() || tolerance.isObject())) {
                errors.add(new FieldError(path, "must be a boolean, an integer, a string, a list or an object with a type "
                        + "(Chaos Toolkit accepts no other tolerance)"));
                return false;
            }
            if (!tolerance.isObject()) {
                return true;
            }
            int before = errors.size();
            switch (tolerance.path("type").asText("")) {
                case "probe" -> valid(tolerance, path);
                case "regex" -> {
                    requireText(tolerance, "pattern", path);
                    if (tolerance.path("pattern").isTextual()) {
                        try {
                            Pattern.compile(tolerance.path("pattern").asText());
                        } catch (PatternSyntaxException e) {
                            errors.add(new FieldError(path + ".pattern", "is not a valid regular expression: " + e.getDescription()));
                        }
                    }
                }
                case "jsonpath" -> requireText(tolerance, "path", path);
                case "range" -> {
                    JsonNode range = tolerance.get("range");
                    if (range == null || !range.isArray() || range.size() != 2 || !range.get(0).isNumber() || !range.get(1).isNumber()) {
                        errors.add(new FieldError(path + ".range", "must be a list of two numbers: [low, high]"));
                    }
                }
                default -> errors.add(new FieldError(path + ".type", "must be probe, regex, jsonpath or range"));
            }
            return errors.size() == before;
        }

        /**
         * A Faultline probe or guardrail (name, measurement and tolerance) for a Chaos Toolkit probe
         * and its tolerance; empty, with the reason listed at {@code path}, when it cannot map.
         */
        private Optional<ObjectNode> check(JsonNode probe, JsonNode tolerance, String path) {
            ObjectNode check = NODES.objectNode().put("name", probe.path("name").asText());
            JsonNode provider = probe.path("provider");
            switch (provider.path("type").asText()) {
                case "http" -> {
                    return http(provider, tolerance, path).map(http -> {
                        check.set("http", http);
                        return check;
                    });
                }
                case "process" -> {
                    unmapped.add(new Unmapped(path, "runs the program " + provider.path("path").asText()
                            + " on the Chaos Toolkit host; Faultline never runs programs (an http probe often replaces curl)"));
                    return Optional.empty();
                }
                default -> {
                    if (python(probe, PROMETHEUS_PROBES, "query", "query_interval")) {
                        return prometheus(probe, tolerance, path).map(tree -> {
                            check.set("prometheus", tree.get("prometheus"));
                            check.set("tolerance", tree.get("tolerance"));
                            return check;
                        });
                    }
                    if (python(probe, K8S_DEPLOYMENT_PROBES, K8S_DEPLOYMENT_HEALTHY)) {
                        return deployment(probe, tolerance, path).map(kubernetes -> {
                            check.set("kubernetes", kubernetes);
                            return check;
                        });
                    }
                    unmapped.add(new Unmapped(path, "calls the Python function " + function(probe) + "; Faultline cannot run Python: "
                            + "its checks are prometheus, goldenSignal, http and kubernetes"));
                    return Optional.empty();
                }
            }
        }

        private Optional<ObjectNode> http(JsonNode provider, JsonNode tolerance, String path) {
            String at = path + ".provider";
            List<Unmapped> problems = new ArrayList<>();
            ObjectNode http = NODES.objectNode();
            JsonNode url = substitutions.apply(provider.get("url"), at + ".url", problems);
            String method = provider.path("method").asText("GET").toUpperCase(Locale.ROOT);
            JsonNode headers = substitutions.apply(provider.get("headers"), at + ".headers", problems);
            JsonNode arguments = substitutions.apply(provider.get("arguments"), at + ".arguments", problems);
            String address = url.asText();
            if (arguments != null && !arguments.isEmpty()) {
                if (method.equals("GET") && arguments.isObject()) {
                    address = address + (address.contains("?") ? "&" : "?") + query(arguments);
                } else if (headers != null && "application/json".equals(header(headers, "content-type"))) {
                    http.put("body", arguments.toString());
                } else {
                    problems.add(new Unmapped(at + ".arguments", "Chaos Toolkit sends these as form data; Faultline sends a JSON "
                            + "body only: add the header Content-Type: application/json"));
                }
            }
            http.put("url", address);
            if (!method.equals("GET")) {
                http.put("method", method);
            }
            if (headers != null && headers.isObject() && !headers.isEmpty()) {
                http.set("headers", headers);
            }
            JsonNode timeout = provider.get("timeout");
            if (timeout != null) {
                double total = timeout.isArray() ? timeout.path(0).asDouble() + timeout.path(1).asDouble() : timeout.asDouble();
                if (total > 0) {
                    http.put("timeout", Durations.format(Duration.ofMillis(Math.round(total * 1000))));
                }
            }
            if (provider.has("verify_tls") && !provider.get("verify_tls").asBoolean(true)) {
                problems.add(new Unmapped(at + ".verify_tls", "Faultline always verifies TLS certificates"));
            }
            if (provider.path("max_retries").asInt(0) > 0) {
                problems.add(new Unmapped(at + ".max_retries", "Faultline does not retry a probe; failureThreshold tolerates failed checks"));
            }
            if (provider.path("expected_status").isInt()) {
                http.put("expectStatus", provider.get("expected_status").asInt());
            }
            String reason = httpTolerance(tolerance, http);
            if (reason != null) {
                unmapped.add(new Unmapped(path + ".tolerance", reason + "; the probe is left out"));
                return Optional.empty();
            }
            unmapped.addAll(problems);
            return Optional.of(http);
        }

        /** Sets the expectation that the tolerance states on an HTTP answer; the reason it cannot, or null. */
        private String httpTolerance(JsonNode tolerance, ObjectNode http) {
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
                    http.put("bodyRegex", substitutions.apply(tolerance.get("pattern"), "tolerance.pattern", unmapped).asText());
                    return null;
                }
                case "jsonpath" -> {
                    JsonNode expect = tolerance.get("expect");
                    if (!target.equals("body") || expect == null || !expect.isValueNode() || tolerance.has("count")) {
                        return "Faultline's jsonPath compares one value of the body with one expected value (expect)";
                    }
                    String jsonPath = substitutions.apply(tolerance.get("path"), "tolerance.path", unmapped).asText();
                    http.putObject("jsonPath").put("path", jsonPath).put("equals", expect.asText());
                    return null;
                }
                default -> {
                    return "a Python tolerance (" + function(tolerance) + "), which Faultline cannot run";
                }
            }
        }

        private static JsonNode statusJson(int low, int high) {
            Object json = new StatusRange(low, high).json();
            return json instanceof Integer single ? NODES.numberNode(single) : NODES.textNode((String) json);
        }

        private static String header(JsonNode headers, String name) {
            for (var entry : headers.properties()) {
                if (entry.getKey().equalsIgnoreCase(name)) {
                    return entry.getValue().asText();
                }
            }
            return null;
        }

        private static String query(JsonNode arguments) {
            List<String> pairs = new ArrayList<>();
            arguments.properties().forEach(e -> pairs.add(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString(), StandardCharsets.UTF_8)));
            return String.join("&", pairs);
        }

        /** {@code {prometheus: {query}, tolerance}} for a chaosprometheus probe. */
        private Optional<ObjectNode> prometheus(JsonNode probe, JsonNode tolerance, String path) {
            String at = path + ".provider.arguments";
            List<Unmapped> problems = new ArrayList<>();
            JsonNode arguments = substitutions.apply(probe.path("provider").get("arguments"), at, problems);
            if (arguments == null || !arguments.path("query").isTextual() || arguments.path("query").asText().isBlank()) {
                errors.add(new FieldError(at + ".query", "is required: the PromQL query"));
                return Optional.empty();
            }
            ObjectNode tree = NODES.objectNode();
            tree.putObject("prometheus").put("query", arguments.path("query").asText());
            Optional<ObjectNode> limit = prometheusTolerance(tolerance);
            if (limit.isEmpty()) {
                unmapped.add(new Unmapped(path + ".tolerance", describeUnmappableValueTolerance(tolerance) + "; the probe is left out"));
                return Optional.empty();
            }
            tree.set("tolerance", limit.get());
            arguments.properties().forEach(e -> {
                switch (e.getKey()) {
                    case "query" -> {
                    }
                    case "when" -> problems.add(new Unmapped(at + ".when", "Faultline always queries the latest value"));
                    case "timeout" -> problems.add(new Unmapped(at + ".timeout", "Faultline's query timeout is faultline.metrics.timeout"));
                    case "start", "end", "step" -> problems.add(new Unmapped(at + "." + e.getKey(),
                            "Faultline checks the query's latest value, not a range of samples (query_interval)"));
                    default -> problems.add(new Unmapped(at + "." + e.getKey(), "is not an argument Faultline knows"));
                }
            });
            unmapped.addAll(problems);
            return Optional.of(tree);
        }

        /**
         * A Faultline tolerance on each series' value: a number means equal to it; two numbers or a
         * range, between them; a jsonpath on {@code $.data.result[n].value[1]} with one expected value,
         * equal to it. That is what these tolerances on chaosprometheus' raw answer are written to say.
         */
        private static Optional<ObjectNode> prometheusTolerance(JsonNode tolerance) {
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

        private static String describeUnmappableValueTolerance(JsonNode tolerance) {
            if (tolerance.isObject() && "probe".equals(tolerance.path("type").asText())) {
                return "a Python tolerance (" + function(tolerance) + "), which Faultline cannot run: write a tolerance such as "
                        + "{below: n} for the query's value";
            }
            return "Faultline needs a number, two numbers, a range, or a jsonpath on $.data.result[n].value[1] with one expected "
                    + "value, to compare the query's value with";
        }

        private Optional<ObjectNode> deployment(JsonNode probe, JsonNode tolerance, String path) {
            String at = path + ".provider.arguments";
            List<Unmapped> problems = new ArrayList<>();
            JsonNode arguments = substitutions.apply(probe.path("provider").get("arguments"), at, problems);
            if (arguments == null || !arguments.path("name").isTextual()) {
                errors.add(new FieldError(at + ".name", "is required: the Deployment's name"));
                return Optional.empty();
            }
            if (!tolerance.isBoolean() || !tolerance.asBoolean()) {
                unmapped.add(new Unmapped(path + ".tolerance", "Faultline's kubernetes probe passes when the Deployment is available "
                        + "(tolerance true); the probe is left out"));
                return Optional.empty();
            }
            ObjectNode kubernetes = NODES.objectNode().put("deployment", arguments.path("name").asText());
            if (arguments.has("ns")) {
                kubernetes.put("namespace", arguments.path("ns").asText());
            }
            arguments.fieldNames().forEachRemaining(key -> {
                if (!key.equals("name") && !key.equals("ns")) {
                    problems.add(new Unmapped(at + "." + key, "is not an argument Faultline's kubernetes probe has"));
                }
            });
            unmapped.addAll(problems);
            return Optional.of(kubernetes);
        }

        // ---- method and rollbacks ---------------------------------------------------------------

        private void method() {
            JsonNode method = source.get("method");
            if (method == null || !method.isArray()) {
                errors.add(new FieldError("method", "is required: a list of actions and probes (Chaos Toolkit requires it too)"));
                return;
            }
            for (int i = 0; i < method.size(); i++) {
                String path = "method[" + i + "]";
                Optional<JsonNode> found = activity(method.get(i), path);
                if (found.isEmpty()) {
                    continue;
                }
                JsonNode activity = found.get();
                double before = pause(activity, "before");
                double after = pause(activity, "after");
                if (python(activity, ISTIO_ACTIONS, "add_delay_fault", "add_abort_fault", "set_fault")
                        && "action".equals(activity.path("type").asText())) {
                    if (faults.isEmpty() && before > 0) {
                        unmapped.add(new Unmapped(path + ".pauses.before", "Faultline injects right after its pre-check"));
                    } else {
                        seconds += before;
                    }
                    fault(activity, path);
                    seconds += after;
                    continue;
                }
                String reason = activity.path("provider").path("type").asText().equals("process")
                        ? "runs the program " + activity.path("provider").path("path").asText() + "; Faultline never runs programs"
                        : activity.path("provider").path("type").asText().equals("http")
                                ? "calls " + activity.path("provider").path("url").asText() + "; Faultline's method is its mesh faults"
                                : "probe".equals(activity.path("type").asText())
                                        ? "a probe in the method records a value without judging it; Faultline judges with guardrails"
                                        : "calls " + function(activity) + "; Faultline injects faults only through the mesh (Istio delay and abort)";
                if (!faults.isEmpty() && before + after > 0) {
                    seconds += before + after;
                    reason += "; its pauses (" + number(before + after) + " s) count toward spec.duration";
                }
                unmapped.add(new Unmapped(path, reason));
            }
        }

        private double pause(JsonNode activity, String when) {
            JsonNode pause = activity.path("pauses").get(when);
            if (pause == null) {
                return 0;
            }
            if (pause.isNumber()) {
                return pause.asDouble();
            }
            JsonNode value = substitutions.apply(pause, "pauses." + when, unmapped);
            return value.isNumber() ? value.asDouble() : value.isTextual() && value.asText().matches("\\d+(\\.\\d+)?") ? Double.parseDouble(value.asText()) : 0;
        }

        /** Target and faults from a chaosistio action. */
        private void fault(JsonNode activity, String path) {
            String at = path + ".provider.arguments";
            List<Unmapped> problems = new ArrayList<>();
            JsonNode arguments = substitutions.apply(activity.path("provider").get("arguments"), at, problems);
            if (arguments == null) {
                errors.add(new FieldError(at, "is required: virtual_service_name, routes and the fault"));
                return;
            }
            JsonNode routes = arguments.get("routes");
            if (routes == null || !routes.isArray() || routes.isEmpty() || !routes.get(0).path("destination").path("host").isTextual()) {
                errors.add(new FieldError(at + ".routes", "is required: a list of {destination: {host, subset}} naming the routes to fault"));
                return;
            }
            JsonNode destination = routes.get(0).path("destination");
            String namespace = arguments.path("ns").asText("default");
            ObjectNode wanted = NODES.objectNode().put("namespace", namespace).put("service", destination.path("host").asText());
            if (destination.path("subset").isTextual()) {
                wanted.put("subset", destination.path("subset").asText());
            }
            if (target != null && !target.equals(wanted)) {
                unmapped.add(new Unmapped(path, "faults another target than the first fault action (" + describe(target)
                        + "); a Faultline experiment faults one target"));
                return;
            }
            for (int r = 1; r < routes.size(); r++) {
                problems.add(new Unmapped(at + ".routes[" + r + "]", "a Faultline experiment faults one service (and subset); "
                        + "make another experiment for this route"));
            }
            String func = activity.path("provider").path("func").asText();
            List<ObjectNode> added = new ArrayList<>();
            if (func.equals("set_fault")) {
                JsonNode fault = arguments.path("fault");
                if (fault.has("delay")) {
                    delay(fault.path("delay").get("fixedDelay"), fault.path("delay").get("percentage"), at + ".fault.delay").ifPresent(added::add);
                }
                if (fault.has("abort")) {
                    abort(fault.path("abort").get("httpStatus"), fault.path("abort").get("percentage"), at + ".fault.abort").ifPresent(added::add);
                }
                if (added.isEmpty() && errors.isEmpty()) {
                    errors.add(new FieldError(at + ".fault", "is required: {delay: {fixedDelay, percentage}} and/or {abort: {httpStatus, percentage}}"));
                }
            } else if (func.equals("add_delay_fault")) {
                delay(arguments.get("fixed_delay"), arguments.get("percentage"), at).ifPresent(added::add);
            } else {
                abort(arguments.get("http_status"), arguments.get("percentage"), at).ifPresent(added::add);
            }
            for (ObjectNode fault : added) {
                String kind = fault.fieldNames().next();
                boolean taken = false;
                for (JsonNode existing : faults) {
                    taken |= existing.has(kind);
                }
                if (taken) {
                    unmapped.add(new Unmapped(path, "a second " + kind + " on the same target; a Faultline experiment has one delay "
                            + "and one abort (rampUp raises percentages step by step)"));
                    return;
                }
            }
            target = wanted;
            added.forEach(faults::add);
            String host = destination.path("host").asText().split("\\.")[0];
            String virtualService = arguments.path("virtual_service_name").asText(null);
            if (virtualService != null && !virtualService.equals(host)) {
                problems.add(new Unmapped(at + ".virtual_service_name", "Faultline finds the VirtualService that serves "
                        + destination.path("host").asText() + " itself; the name " + virtualService + " is not kept"));
            }
            if (arguments.has("version")) {
                problems.add(new Unmapped(at + ".version", "Faultline writes networking.istio.io/v1"));
            }
            faultedRoutes.add(arguments.path("virtual_service_name").asText() + "/" + namespace + "/" + routes);
            unmapped.addAll(problems);
        }

        private Optional<ObjectNode> delay(JsonNode fixedDelay, JsonNode percentage, String at) {
            Optional<Duration> delay = fixedDelay == null ? Optional.empty()
                    : fixedDelay.isNumber() ? Optional.of(Duration.ofMillis(Math.round(fixedDelay.asDouble() * 1000)))
                            : Durations.parse(fixedDelay.asText());
            if (delay.isEmpty()) {
                errors.add(new FieldError(at + (at.endsWith("delay") ? ".fixedDelay" : ".fixed_delay"), "is required: a duration such as 5s"));
                return Optional.empty();
            }
            ObjectNode fault = NODES.objectNode();
            fault.putObject("delay").put("fixedDelay", Durations.format(delay.get())).put("percentage", percentage(percentage));
            return Optional.of(fault);
        }

        private Optional<ObjectNode> abort(JsonNode status, JsonNode percentage, String at) {
            if (status == null || !status.canConvertToInt() || !(status.isNumber() || status.asText().matches("\\d{3}"))) {
                errors.add(new FieldError(at + (at.endsWith("abort") ? ".httpStatus" : ".http_status"), "is required: an HTTP status such as 503"));
                return Optional.empty();
            }
            ObjectNode fault = NODES.objectNode();
            fault.putObject("abort").put("httpStatus", status.isNumber() ? status.asInt() : Integer.parseInt(status.asText()))
                    .put("percentage", percentage(percentage));
            return Optional.of(fault);
        }

        /** chaosistio takes a number (older README examples: {@code {value: n}}); none means every request. */
        private static double percentage(JsonNode percentage) {
            if (percentage == null || percentage.isNull()) {
                return 100;
            }
            JsonNode value = percentage.isObject() ? percentage.path("value") : percentage;
            return value.isNumber() ? value.asDouble() : value.asDouble(100);
        }

        private void rollbacks() {
            JsonNode rollbacks = source.get("rollbacks");
            if (rollbacks == null) {
                return;
            }
            if (!rollbacks.isArray()) {
                errors.add(new FieldError("rollbacks", "must be a list of actions"));
                return;
            }
            for (int i = 0; i < rollbacks.size(); i++) {
                String path = "rollbacks[" + i + "]";
                Optional<JsonNode> found = activity(rollbacks.get(i), path);
                if (found.isEmpty()) {
                    continue;
                }
                JsonNode activity = found.get();
                if (python(activity, ISTIO_ACTIONS, "remove_delay_fault", "remove_abort_fault", "unset_fault")) {
                    JsonNode arguments = substitutions.apply(activity.path("provider").get("arguments"), path, new ArrayList<>());
                    String key = arguments == null ? "" : arguments.path("virtual_service_name").asText() + "/"
                            + arguments.path("ns").asText("default") + "/" + arguments.path("routes");
                    if (faultedRoutes.contains(key)) {
                        continue; // Faultline removes what it wrote on every path; this rollback is built in
                    }
                    unmapped.add(new Unmapped(path, "removes a fault this import did not bring in"));
                    continue;
                }
                unmapped.add(new Unmapped(path, "Faultline's recovery removes its own mesh rules only; this rollback has no equivalent"));
            }
        }

        // ---- controls ---------------------------------------------------------------------------

        private ArrayNode controls() {
            ArrayNode guardrails = NODES.arrayNode();
            JsonNode controls = source.get("controls");
            if (controls == null) {
                return guardrails;
            }
            if (!controls.isArray()) {
                errors.add(new FieldError("controls", "must be a list of controls"));
                return guardrails;
            }
            for (int i = 0; i < controls.size(); i++) {
                String path = "controls[" + i + "]";
                JsonNode control = controls.get(i);
                if (!control.isObject() || !control.path("name").isTextual() || !control.path("provider").isObject()) {
                    errors.add(new FieldError(path, "must be a control: an object with name and provider"));
                    continue;
                }
                if (!SAFEGUARDS.equals(control.path("provider").path("module").asText())) {
                    unmapped.add(new Unmapped(path, "the control " + control.path("provider").path("module").asText()
                            + " has no Faultline equivalent (Faultline's guardrails come from safeguards)"));
                    continue;
                }
                JsonNode arguments = control.path("provider").path("arguments");
                if (arguments.has("interrupt_after_activity")) {
                    unmapped.add(new Unmapped(path + ".provider.arguments.interrupt_after_activity",
                            "Faultline aborts at once when a guardrail fails"));
                }
                JsonNode probes = arguments.path("probes");
                if (!probes.isArray()) {
                    errors.add(new FieldError(path + ".provider.arguments.probes", "is required: the list of safeguard probes"));
                    continue;
                }
                for (int j = 0; j < probes.size(); j++) {
                    String at = path + ".provider.arguments.probes[" + j + "]";
                    safeguard(probes.get(j), at).ifPresent(g -> guardrails.add(unique(g, guardrails, at)));
                }
            }
            return guardrails;
        }

        private Optional<ObjectNode> safeguard(JsonNode entry, String path) {
            if (entry.isObject() && !entry.has("tolerance")) {
                errors.add(new FieldError(path + ".tolerance", "is required for a safeguard probe"));
                return Optional.empty();
            }
            Optional<JsonNode> probe = activity(entry, path);
            if (probe.isEmpty() || !validTolerance(entry.get("tolerance"), path + ".tolerance")) {
                return Optional.empty();
            }
            Optional<ObjectNode> guardrail = check(probe.get(), entry.get("tolerance"), path);
            guardrail.ifPresent(g -> {
                JsonNode frequency = entry.get("frequency");
                if (frequency != null && frequency.isNumber() && frequency.asDouble() > 0) {
                    g.put("interval", Durations.format(Duration.ofMillis(Math.round(frequency.asDouble() * 1000))));
                } else {
                    unmapped.add(new Unmapped(path + (entry.has("background") ? ".background" : ""), "ran once in Chaos Toolkit; "
                            + "Faultline checks a guardrail all the time faults are live, every faultline.guardrails.default-interval"));
                }
            });
            return guardrail;
        }

        private void unusedConfiguration() {
            substitutions.unused().forEach((name, declared) -> {
                String reason = name.equals("prometheus_base_url")
                        ? "Faultline queries the Prometheus it is configured with (faultline.metrics.prometheus-url)"
                        : declared.startsWith("secrets.")
                                ? "used by nothing Faultline imported (Faultline reaches Kubernetes with its own service account)"
                                : "used by nothing Faultline imported";
                unmapped.add(new Unmapped(declared, reason));
            });
        }

        private static String describe(ObjectNode target) {
            return target.path("service").asText() + (target.has("subset") ? " subset " + target.path("subset").asText() : "")
                    + " in " + target.path("namespace").asText();
        }
    }

    /** A DNS label from a title: lower case, words joined by '-', at most 63 characters. */
    static String slug(String title) {
        if (title == null) {
            return "imported-experiment";
        }
        String slug = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.length() > 63) {
            slug = slug.substring(0, 63);
            int cut = slug.lastIndexOf('-');
            slug = (cut > 20 ? slug.substring(0, cut) : slug).replaceAll("-+$", "");
        }
        return slug.isEmpty() ? "imported-experiment" : slug;
    }

    static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}

package dev.faultline.experiment.spec;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.faultline.Durations;
import dev.faultline.FieldReader;
import dev.faultline.FieldError;
import dev.faultline.Names;
import dev.faultline.experiment.spec.ExperimentSpec.RampStep;
import dev.faultline.experiment.spec.ExperimentSpec.SteadyState;
import dev.faultline.experiment.spec.Fault.Abort;
import dev.faultline.experiment.spec.Fault.Delay;
import dev.faultline.experiment.spec.Measurement.GoldenSignal;
import dev.faultline.experiment.spec.Measurement.HttpCheck;
import dev.faultline.experiment.spec.Measurement.JsonPathCheck;
import dev.faultline.experiment.spec.Measurement.KubernetesCheck;
import dev.faultline.experiment.spec.Measurement.PostureCheck;
import dev.faultline.experiment.spec.Measurement.PrometheusQuery;
import dev.faultline.experiment.spec.Measurement.Reporter;
import dev.faultline.experiment.spec.Measurement.Signal;
import dev.faultline.experiment.spec.Target.Match;
import dev.faultline.experiment.spec.Target.StringMatch;

/** Builds an {@link Experiment} from a parsed document, with every rule of the format checked. */
final class ExperimentReader {

    private static final Pattern HEADER_NAME = Pattern.compile("[a-z0-9!#$%&'*+.^_`|~-]+");
    private static final Pattern LABEL_KEY = Pattern.compile(
            "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern HTTP_METHOD = Pattern.compile("[A-Z][A-Z-]*");
    private static final Pattern QUERY_PARAM = Pattern.compile("[^\\s=&#]+");
    private static final Pattern SUBSET = Pattern.compile("[a-zA-Z0-9]([-a-zA-Z0-9_.]{0,61}[a-zA-Z0-9])?");
    private static final Set<String> GRPC_CODES = new LinkedHashSet<>(List.of("CANCELLED", "UNKNOWN",
            "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
            "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
            "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"));
    private static final Set<String> HTTP_METHODS = new LinkedHashSet<>(
            List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));
    private static final Duration MAX_DURATION = Duration.ofDays(1);
    private static final Duration MAX_HTTP_TIMEOUT = Duration.ofSeconds(60);

    private ExperimentReader() {
    }

    static Experiment read(JsonNode document, List<FieldError> errors) {
        FieldReader root = FieldReader.of(document, "", errors);
        String apiVersion = root.text("apiVersion", true);
        if (apiVersion != null && !Experiment.API_VERSION.equals(apiVersion)) {
            root.error("apiVersion", "must be " + Experiment.API_VERSION + ", found \"" + FieldReader.abbreviate(apiVersion) + "\"");
        }
        String kind = root.text("kind", true);
        if (kind != null && !Experiment.KIND.equals(kind)) {
            root.error("kind", "must be " + Experiment.KIND + ", found \"" + FieldReader.abbreviate(kind) + "\"");
        }
        Metadata metadata = root.object("metadata", true, ExperimentReader::metadata);
        ExperimentSpec spec = root.object("spec", true, ExperimentReader::spec);
        root.ignore("status"); // written by the server; accepted back so that GET, edit, PUT works
        root.finish();
        return errors.isEmpty() ? new Experiment(metadata, spec) : null;
    }

    private static Metadata metadata(FieldReader r) {
        String name = r.dnsLabel("name", true);
        String team = r.dnsLabel("team", false);
        String description = r.text("description", false);
        if (description != null && description.length() > 4000) {
            r.error("description", "must be at most 4000 characters, found " + description.length());
        }
        List<String> tags = r.texts("tags", Names.TAG,
                "must be a tag of at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit");
        if (tags != null && tags.size() > 32) {
            r.error("tags", "must have at most 32 tags, found " + tags.size());
        }
        return new Metadata(name, team, description, tags == null ? null : tags.stream().distinct().toList());
    }

    private static ExperimentSpec spec(FieldReader r) {
        Target target = r.object("target", true, ExperimentReader::target);
        List<Fault> faults = r.objects("faults", false, ExperimentReader::fault);
        if (!r.has("faults") || r.listSize("faults") == 0) {
            r.error("faults", "must have at least one fault");
        }
        checkOneOfEachKind(r, faults);
        Duration duration = r.duration("duration", true, Duration.ofSeconds(1), MAX_DURATION);
        List<RampStep> rampUp = r.objects("rampUp", false, ExperimentReader::rampStep);
        checkRamp(r, rampUp, duration);
        SteadyState steadyState = r.object("steadyState", false, s -> {
            List<Probe> probes = s.objects("probes", true, ExperimentReader::probe);
            checkUniqueNames(s, "probes", probes == null ? null : probes.stream().map(Probe::name).toList());
            return new SteadyState(probes);
        });
        List<Guardrail> guardrails = r.objects("guardrails", false, ExperimentReader::guardrail);
        checkUniqueNames(r, "guardrails", guardrails == null ? null : guardrails.stream().map(Guardrail::name).toList());
        List<Notification> notify = r.list("notify", false, (element, path) -> notification(r, element, path));
        return new ExperimentSpec(target, faults, duration, rampUp, steadyState, guardrails, notify);
    }

    /** A channel name (aborts only), or {@code {channel, on: [events]}}. */
    private static Notification notification(FieldReader r, JsonNode element, String path) {
        if (element.isTextual()) {
            if (!Names.DNS_LABEL.matcher(element.asText()).matches()) {
                r.errorAt(path, "must be the name of a notification channel (a DNS label), found \"" + element.asText() + "\"");
                return null;
            }
            return Notification.of(element.asText());
        }
        if (!element.isObject()) {
            r.errorAt(path, "must be a channel name or {channel, on: [events]}, found " + element);
            return null;
        }
        FieldReader n = r.at(element, path);
        int before = n.errorCount();
        String channel = n.text("channel", true, Names.DNS_LABEL, "must be the name of a notification channel (a DNS label)");
        List<String> on = n.list("on", false, (event, eventPath) -> {
            if (!event.isTextual() || !Notification.EVENTS.contains(event.asText())) {
                n.errorAt(eventPath, "must be one of " + String.join(", ", Notification.EVENTS) + ", found " + event);
                return null;
            }
            return event.asText();
        });
        if (n.listSize("on") == 0) {
            n.error("on", "must name at least one event (leave it out for aborts only)");
        }
        n.finish();
        return n.errorCount() == before ? new Notification(channel, on) : null;
    }

    private static Target target(FieldReader r) {
        String mesh = r.oneOfTexts("mesh", false, Set.of(Target.ISTIO));
        String namespace = r.dnsLabel("namespace", true);
        String service = r.text("service", true, FieldReader.DNS_SUBDOMAIN,
                "must be a service name (reviews) or its cluster FQDN (reviews.bookinfo.svc.cluster.local)");
        String subset = r.text("subset", false, SUBSET, "must be a subset name as in a DestinationRule (v2)");
        String route = r.text("route", false);
        if (route != null && route.length() > 253) {
            r.error("route", "must be at most 253 characters");
        }
        Match match = r.object("match", false, ExperimentReader::match);
        return new Target(mesh, namespace, service, subset, route, match);
    }

    private static Match match(FieldReader m) {
        String headerRule = "must be a lowercase header name (Istio matches headers in lowercase)";
        Map<String, StringMatch> headers = m.map("headers", HEADER_NAME, headerRule,
                (value, path) -> stringMatch(m.at(value, path), null));
        Map<String, StringMatch> withoutHeaders = m.map("withoutHeaders", HEADER_NAME, headerRule,
                (value, path) -> stringMatch(m.at(value, path), null));
        StringMatch uri = m.object("uri", false, u -> stringMatch(u, "/"));
        StringMatch scheme = m.object("scheme", false, u -> stringMatch(u, null));
        StringMatch method = m.object("method", false, u -> stringMatch(u, null));
        if (method != null && method.exact() != null && !HTTP_METHOD.matcher(method.exact()).matches()) {
            m.error("method", "exact must be an HTTP method in capitals (GET, POST), as requests carry it, found "
                    + FieldReader.describe(TextNode.valueOf(method.exact())));
        }
        StringMatch authority = m.object("authority", false, u -> stringMatch(u, null));
        Map<String, StringMatch> queryParams = m.map("queryParams", QUERY_PARAM, "must be a query parameter name",
                (value, path) -> {
                    StringMatch param = stringMatch(m.at(value, path), null);
                    if (param != null && param.prefix() != null) {
                        m.errorAt(path + ".prefix", "Istio matches query parameters by exact value or regex only");
                        return null;
                    }
                    return param;
                });
        Integer port = m.integer("port", false, 1, 65535);
        Map<String, String> sourceLabels = m.stringMap("sourceLabels", LABEL_KEY, "must be a Kubernetes label key");
        String sourceNamespace = m.dnsLabel("sourceNamespace", false);
        return new Match(headers, withoutHeaders, uri, scheme, method, authority, queryParams, port, sourceLabels, sourceNamespace);
    }

    /** Istio's StringMatch: exactly one of exact, prefix and regex (RE2, as Envoy); {@code start}, when given, begins exact and prefix. */
    private static StringMatch stringMatch(FieldReader m, String start) {
        int before = m.errorCount();
        String kind = m.exactlyOne("exact", "prefix", "regex");
        String exact = m.text("exact", false);
        String prefix = m.text("prefix", false);
        String regex = m.text("regex", false);
        for (String field : List.of("exact", "prefix")) {
            String value = field.equals("exact") ? exact : prefix;
            if (start != null && value != null && !value.startsWith(start)) {
                m.error(field, "must start with " + start + " (a URI path), found " + FieldReader.describe(TextNode.valueOf(value)));
            }
        }
        if (regex != null) {
            try {
                com.google.re2j.Pattern.compile(regex);
            } catch (com.google.re2j.PatternSyntaxException e) {
                m.error("regex", "must be an RE2 regular expression, as Envoy reads it: " + e.getDescription());
            }
        }
        m.finish();
        return kind == null || m.errorCount() > before ? null : new StringMatch(exact, prefix, regex);
    }

    private static Fault fault(FieldReader r) {
        String kind = r.exactlyOne("delay", "abort");
        Delay delay = r.object("delay", false, d -> new Delay(
                d.duration("fixedDelay", true, Duration.ofMillis(1), Duration.ofHours(1)),
                orZero(d.percentage("percentage", true))));
        Abort abort = r.object("abort", false, a -> {
            a.exactlyOne("httpStatus", "grpcStatus");
            Integer httpStatus = a.integer("httpStatus", false, 200, 599);
            String grpcStatus = a.oneOfTexts("grpcStatus", false, GRPC_CODES);
            return new Abort(httpStatus, grpcStatus, orZero(a.percentage("percentage", true)));
        });
        return kind == null ? null : new Fault(delay, abort);
    }

    private static void checkOneOfEachKind(FieldReader r, List<Fault> faults) {
        if (faults == null) {
            return;
        }
        long delays = faults.stream().filter(f -> f.delay() != null).count();
        long aborts = faults.stream().filter(f -> f.abort() != null).count();
        if (delays > 1) {
            r.error("faults", "must have at most one delay fault (Istio applies one delay per route), found " + delays);
        }
        if (aborts > 1) {
            r.error("faults", "must have at most one abort fault (Istio applies one abort per route), found " + aborts);
        }
    }

    private static RampStep rampStep(FieldReader r) {
        return new RampStep(orZero(r.percentage("percentage", true)),
                r.duration("hold", true, Duration.ofSeconds(1), MAX_DURATION));
    }

    private static void checkRamp(FieldReader r, List<RampStep> steps, Duration duration) {
        if (steps == null || steps.isEmpty()) {
            return;
        }
        for (int i = 1; i < steps.size(); i++) {
            if (steps.get(i).percentage() <= steps.get(i - 1).percentage()) {
                r.error("rampUp[" + i + "].percentage", "must be greater than the step before ("
                        + FieldReader.plain(steps.get(i - 1).percentage()) + "), found "
                        + FieldReader.plain(steps.get(i).percentage()));
            }
        }
        Duration held = steps.stream().map(RampStep::hold).reduce(Duration.ZERO, Duration::plus);
        if (duration != null && held.compareTo(duration) >= 0) {
            r.error("rampUp", "holds add up to " + Durations.format(held) + ", which must be shorter than duration ("
                    + Durations.format(duration) + ")");
        }
    }

    private static Probe probe(FieldReader r) {
        String name = probeName(r);
        Measurement measurement = measurement(r);
        Tolerance tolerance = tolerance(r, measurement);
        return new Probe(name, measurement, tolerance);
    }

    private static Guardrail guardrail(FieldReader r) {
        String name = probeName(r);
        Measurement measurement = measurement(r);
        Tolerance tolerance = tolerance(r, measurement);
        Duration interval = r.duration("interval", false, Guardrail.MIN_INTERVAL, Duration.ofMinutes(5));
        Integer failureThreshold = r.integer("failureThreshold", false, 1, 100);
        return new Guardrail(name, measurement, tolerance, interval, failureThreshold);
    }

    private static String probeName(FieldReader r) {
        String name = r.text("name", true);
        if (name != null && name.length() > 200) {
            r.error("name", "must be at most 200 characters, found " + name.length());
        }
        return name;
    }

    private static Measurement measurement(FieldReader r) {
        String kind = r.exactlyOne("prometheus", "goldenSignal", "http", "kubernetes", "posture");
        PrometheusQuery prometheus = r.object("prometheus", false,
                p -> new PrometheusQuery(p.text("query", true)));
        GoldenSignal goldenSignal = r.object("goldenSignal", false, ExperimentReader::goldenSignal);
        HttpCheck http = r.object("http", false, ExperimentReader::http);
        KubernetesCheck kubernetes = r.object("kubernetes", false,
                k -> new KubernetesCheck(k.dnsLabel("deployment", true), k.dnsLabel("namespace", false)));
        PostureCheck posture = r.object("posture", false, ExperimentReader::posture);
        return kind == null ? null : new Measurement(prometheus, goldenSignal, http, kubernetes, posture);
    }

    private static PostureCheck posture(FieldReader r) {
        String service = r.dnsLabel("service", true);
        String namespace = r.dnsLabel("namespace", false);
        String mtls = r.oneOfTexts("mtls", false, new java.util.LinkedHashSet<>(PostureCheck.MTLS_MODES));
        Duration maxTimeout = r.duration("maxTimeout", false, Duration.ofMillis(1), Duration.ofHours(1));
        Boolean retries = r.bool("retries");
        Boolean circuitBreaker = r.bool("circuitBreaker");
        if (!r.has("mtls") && !r.has("maxTimeout") && !r.has("retries") && !r.has("circuitBreaker")) {
            r.error("mtls", "a posture check needs at least one of mtls, maxTimeout, retries, circuitBreaker");
        }
        return new PostureCheck(service, namespace, mtls, maxTimeout, retries, circuitBreaker);
    }

    private static GoldenSignal goldenSignal(FieldReader r) {
        String signal = r.oneOfTexts("signal", true, keys(Signal.values(), Signal::key));
        String service = r.text("service", true, FieldReader.DNS_SUBDOMAIN, "must be a service name or its cluster FQDN");
        String namespace = r.dnsLabel("namespace", false);
        Duration window = r.duration("window", false, Duration.ofSeconds(1), Duration.ofHours(1));
        String reporter = r.oneOfTexts("reporter", false, keys(Reporter.values(), Reporter::key));
        Boolean excludeInjected = r.bool("excludeInjected");
        return new GoldenSignal(
                signal == null ? null : Arrays.stream(Signal.values()).filter(s -> s.key().equals(signal)).findFirst().orElseThrow(),
                service, namespace, window,
                reporter == null ? null : Arrays.stream(Reporter.values()).filter(s -> s.key().equals(reporter)).findFirst().orElseThrow(),
                excludeInjected);
    }

    private static HttpCheck http(FieldReader r) {
        String url = r.text("url", true);
        if (url != null) {
            checkUrl(r, url);
        }
        String method = r.oneOfTexts("method", false, HTTP_METHODS);
        Map<String, HeaderValue> headers = r.map("headers", Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+"),
                "must be an HTTP header name", (value, path) -> headerValue(r, value, path));
        String body = r.text("body", false);
        StatusRange expectStatus = null;
        if (r.has("expectStatus")) {
            expectStatus = statusRange(r);
        }
        Duration timeout = r.duration("timeout", false, Duration.ofMillis(1), MAX_HTTP_TIMEOUT);
        Duration maxLatency = r.duration("maxLatency", false, Duration.ofMillis(1), MAX_HTTP_TIMEOUT);
        Duration effectiveTimeout = timeout != null ? timeout : HttpCheck.DEFAULT_TIMEOUT;
        if (maxLatency != null && maxLatency.compareTo(effectiveTimeout) > 0) {
            r.error("maxLatency", "must not exceed timeout (" + Durations.format(effectiveTimeout) + "), found "
                    + Durations.format(maxLatency));
        }
        String bodyRegex = r.text("bodyRegex", false);
        if (bodyRegex != null) {
            checkRegex(r, "bodyRegex", bodyRegex);
        }
        JsonPathCheck jsonPath = r.object("jsonPath", false, j -> {
            String path = j.text("path", true, Pattern.compile("\\$.*"), "must be a JSONPath starting with $");
            return new JsonPathCheck(path, j.text("equals", true));
        });
        return new HttpCheck(url, method, headers, body, expectStatus, timeout, maxLatency, bodyRegex, jsonPath);
    }

    /** A header's value: a string (numbers and booleans as their text), or {@code {valueFrom: {secret: NAME}}}. */
    private static HeaderValue headerValue(FieldReader r, JsonNode value, String path) {
        if (value.isValueNode() && !value.isNull()) {
            return new HeaderValue.Literal(value.asText());
        }
        if (!value.isObject()) {
            r.errorAt(path, "must be a string or {valueFrom: {secret: NAME}}, found " + FieldReader.describe(value));
            return null;
        }
        FieldReader reference = r.at(value, path);
        int before = reference.errorCount();
        String secret = reference.object("valueFrom", true, from -> from.dnsLabel("secret", true));
        reference.finish();
        return reference.errorCount() == before && secret != null ? new HeaderValue.FromSecret(secret) : null;
    }

    private static StatusRange statusRange(FieldReader r) {
        // A code is written as a number (200); a class or range as a string ("2xx", "200-299").
        if (r.isNumber("expectStatus")) {
            Integer code = r.integer("expectStatus", false, 100, 599);
            return code == null ? null : new StatusRange(code, code);
        }
        String text = r.text("expectStatus", false);
        if (text == null) {
            return null;
        }
        var parsed = StatusRange.parse(text);
        if (parsed.isEmpty()) {
            r.error("expectStatus", "must be a status code (200), a class (\"2xx\") or a range (\"200-299\") within 100-599, found \""
                    + FieldReader.abbreviate(text) + "\"");
            return null;
        }
        return parsed.get();
    }

    private static void checkUrl(FieldReader r, String url) {
        try {
            URI uri = new URI(url);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                r.error("url", "must be an absolute http or https URL, found \"" + FieldReader.abbreviate(url) + "\"");
            }
        } catch (URISyntaxException e) {
            r.error("url", "must be a valid URL: " + e.getReason());
        }
    }

    private static void checkRegex(FieldReader r, String field, String regex) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            r.error(field, "must be a valid regular expression: " + e.getDescription() + " near index " + e.getIndex());
        }
    }

    private static Tolerance tolerance(FieldReader r, Measurement measurement) {
        boolean present = r.has("tolerance");
        if (measurement != null && !measurement.needsTolerance() && present) {
            r.error("tolerance", "applies to prometheus and goldenSignal checks only; an http, kubernetes or posture check states its own expectation");
            return null;
        }
        if (measurement != null && measurement.needsTolerance() && !present) {
            r.error("tolerance", "is required: say what the value must be, e.g. {below: 0.05}");
            return null;
        }
        return r.object("tolerance", false, t -> {
            String[] keys = new String[Tolerance.Comparison.values().length + 1];
            for (Tolerance.Comparison comparison : Tolerance.Comparison.values()) {
                keys[comparison.ordinal()] = comparison.key();
            }
            keys[keys.length - 1] = "between";
            String kind = t.exactlyOne(keys);
            Tolerance found = null;
            for (Tolerance.Comparison comparison : Tolerance.Comparison.values()) {
                Double limit = t.number(comparison.key(), false);
                if (limit != null && comparison.key().equals(kind)) {
                    found = new Tolerance.Bound(comparison, limit);
                }
            }
            List<Double> bounds = t.list("between", false, (element, path) -> {
                if (!element.isNumber()) {
                    t.errorAt(path, "must be a number, found " + FieldReader.describe(element));
                    return null;
                }
                return element.asDouble();
            });
            return "between".equals(kind) ? between(t, bounds) : found;
        });
    }

    private static Tolerance between(FieldReader t, List<Double> bounds) {
        if (bounds == null || bounds.size() != 2) {
            t.error("between", "must be a list of two numbers [low, high]");
            return null;
        }
        if (bounds.get(0) > bounds.get(1)) {
            t.error("between", "must list the low bound first, found [" + FieldReader.plain(bounds.get(0)) + ", "
                    + FieldReader.plain(bounds.get(1)) + "]");
            return null;
        }
        return new Tolerance.Between(bounds.get(0), bounds.get(1));
    }

    private static void checkUniqueNames(FieldReader r, String field, List<String> names) {
        if (names == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            if (!seen.add(names.get(i))) {
                r.error(field + "[" + i + "].name", "must be unique; \"" + names.get(i) + "\" is used twice");
            }
        }
    }

    private static double orZero(Double value) {
        return value == null ? 0 : value;
    }

    private static <E> Set<String> keys(E[] values, java.util.function.Function<E, String> key) {
        return Arrays.stream(values).map(key).collect(Collectors.toCollection(LinkedHashSet::new));
    }
}

package dev.faultline.interop;

import static dev.faultline.interop.ChaosToolkitImporter.K8S_DEPLOYMENT_HEALTHY;
import static dev.faultline.interop.ChaosToolkitImporter.K8S_DEPLOYMENT_PROBES;
import static dev.faultline.interop.ChaosToolkitImporter.PROMETHEUS_PROBES;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.Durations;

/**
 * A Chaos Toolkit probe with its tolerance as a Faultline check: an http, prometheus or kubernetes
 * probe of the steady state, or a guardrail.
 */
final class ProbeMapping {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Tolerances tolerances;
    private final Substitutions substitutions;
    private final ImportFindings findings;

    ProbeMapping(Tolerances tolerances, Substitutions substitutions, ImportFindings findings) {
        this.tolerances = tolerances;
        this.substitutions = substitutions;
        this.findings = findings;
    }

    /**
     * A Faultline probe or guardrail (name, measurement and tolerance) for a Chaos Toolkit probe
     * and its tolerance; empty, with the reason listed at {@code path}, when it cannot map.
     */
    Optional<ObjectNode> check(JsonNode probe, JsonNode tolerance, String path) {
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
                findings.unmapped(path, "runs the program " + provider.path("path").asText()
                        + " on the Chaos Toolkit host; Faultline never runs programs (an http probe often replaces curl)");
                return Optional.empty();
            }
            default -> {
                if (Activities.python(probe, PROMETHEUS_PROBES, "query", "query_interval")) {
                    return prometheus(probe, tolerance, path).map(tree -> {
                        check.set("prometheus", tree.get("prometheus"));
                        check.set("tolerance", tree.get("tolerance"));
                        return check;
                    });
                }
                if (Activities.python(probe, K8S_DEPLOYMENT_PROBES, K8S_DEPLOYMENT_HEALTHY)) {
                    return deployment(probe, tolerance, path).map(kubernetes -> {
                        check.set("kubernetes", kubernetes);
                        return check;
                    });
                }
                findings.unmapped(path, "calls the Python function " + Activities.function(probe) + "; Faultline cannot run Python: "
                        + "its checks are prometheus, goldenSignal, http and kubernetes");
                return Optional.empty();
            }
        }
    }

    /** Faultline's checks have unique names; a second use of one (a ref checked again) gets a number. */
    ObjectNode unique(ObjectNode check, ArrayNode list, String path) {
        String name = check.path("name").asText();
        Set<String> taken = new HashSet<>();
        list.forEach(existing -> taken.add(existing.path("name").asText()));
        if (!taken.contains(name)) {
            return check;
        }
        int n = 2;
        while (taken.contains(name + " #" + n)) {
            n++;
        }
        check.put("name", name + " #" + n);
        findings.unmapped(path, "named \"" + name + " #" + n + "\": each Faultline check has its own name");
        return check;
    }

    private Optional<ObjectNode> http(JsonNode provider, JsonNode tolerance, String path) {
        String at = path + ".provider";
        List<Unmapped> problems = new ArrayList<>();
        ObjectNode http = NODES.objectNode();
        JsonNode url = substitutions.apply(provider.get("url"), at + ".url", problems);
        String method = provider.path("method").asText("GET").toUpperCase(Locale.ROOT);
        JsonNode headers = substitutions.headers(provider.get("headers"), at + ".headers", problems);
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
        String reason = tolerances.onHttpAnswer(tolerance, http);
        if (reason != null) {
            findings.unmapped(path + ".tolerance", reason + "; the probe is left out");
            return Optional.empty();
        }
        findings.unmappedAll(problems);
        return Optional.of(http);
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
            findings.error(at + ".query", "is required: the PromQL query");
            return Optional.empty();
        }
        ObjectNode tree = NODES.objectNode();
        tree.putObject("prometheus").put("query", arguments.path("query").asText());
        Optional<ObjectNode> limit = Tolerances.onQueryValue(tolerance);
        if (limit.isEmpty()) {
            findings.unmapped(path + ".tolerance", Tolerances.whyNotOnQueryValue(tolerance) + "; the probe is left out");
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
        findings.unmappedAll(problems);
        return Optional.of(tree);
    }

    /** {@code {deployment, namespace}} for a chaosk8s probe that the Deployment is available and healthy. */
    private Optional<ObjectNode> deployment(JsonNode probe, JsonNode tolerance, String path) {
        String at = path + ".provider.arguments";
        List<Unmapped> problems = new ArrayList<>();
        JsonNode arguments = substitutions.apply(probe.path("provider").get("arguments"), at, problems);
        if (arguments == null || !arguments.path("name").isTextual()) {
            findings.error(at + ".name", "is required: the Deployment's name");
            return Optional.empty();
        }
        if (!tolerance.isBoolean() || !tolerance.asBoolean()) {
            findings.unmapped(path + ".tolerance", "Faultline's kubernetes probe passes when the Deployment is available "
                    + "(tolerance true); the probe is left out");
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
        findings.unmappedAll(problems);
        return Optional.of(kubernetes);
    }
}

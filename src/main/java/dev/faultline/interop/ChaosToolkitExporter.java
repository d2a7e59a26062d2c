package dev.faultline.interop;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.Durations;
import dev.faultline.experiment.spec.StatusRange;

/**
 * Writes a Faultline Experiment document as a Chaos Toolkit experiment that {@code chaos validate}
 * accepts: the faults as chaosistio actions held for the duration and removed in rollbacks, the
 * steady-state probes as the hypothesis, the guardrails as safeguards. What Chaos Toolkit cannot
 * say is listed, never dropped silently — above all a {@code match} or named route, without which
 * chaosistio faults the whole route. It reads the document as a tree, so a draft works too.
 */
public final class ChaosToolkitExporter {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The Chaos Toolkit experiment, and what of the Faultline document it could not carry. */
    public record Result(ObjectNode experiment, List<Unmapped> unmapped) {
    }

    private final String prometheusUrl;

    /** {@code prometheusUrl}: the default of the exported {@code prometheus_base_url} (Faultline's own Prometheus). */
    public ChaosToolkitExporter(String prometheusUrl) {
        this.prometheusUrl = prometheusUrl;
    }

    public Result write(JsonNode document) {
        List<Unmapped> unmapped = new ArrayList<>();
        JsonNode metadata = document.path("metadata");
        JsonNode spec = document.path("spec");
        ObjectNode ctk = NODES.objectNode();
        ctk.put("version", "1.0.0");
        String name = metadata.path("name").asText();
        String description = metadata.path("description").asText("");
        int split = description.indexOf("\n\n");
        if (split > 0) {
            ctk.put("title", description.substring(0, split));
            ctk.put("description", description.substring(split + 2));
        } else {
            ctk.put("title", name);
            ctk.put("description", description.isBlank() ? name : description);
        }
        if (metadata.path("tags").isArray() && !metadata.path("tags").isEmpty()) {
            ctk.set("tags", metadata.path("tags"));
        }
        if (metadata.has("team")) {
            unmapped.add(new Unmapped("metadata.team", "Chaos Toolkit experiments have no owning team"));
        }
        ObjectNode configuration = ctk.putObject("configuration");

        ArrayNode probes = NODES.arrayNode();
        JsonNode steadyProbes = spec.path("steadyState").path("probes");
        for (int i = 0; i < steadyProbes.size(); i++) {
            probe(steadyProbes.get(i), "spec.steadyState.probes[" + i + "]", unmapped).ifPresent(probes::add);
        }
        if (!probes.isEmpty()) {
            ObjectNode hypothesis = ctk.putObject("steady-state-hypothesis");
            hypothesis.put("title", "The steady state of " + name + " holds");
            hypothesis.set("probes", probes);
        }
        ArrayNode method = ctk.putArray("method");
        ArrayNode rollbacks = ctk.putArray("rollbacks");
        faults(spec, method, rollbacks, unmapped);
        if (rollbacks.isEmpty()) {
            ctk.remove("rollbacks");
        }

        ArrayNode safeguards = NODES.arrayNode();
        JsonNode guardrails = spec.path("guardrails");
        for (int i = 0; i < guardrails.size(); i++) {
            String path = "spec.guardrails[" + i + "]";
            JsonNode guardrail = guardrails.get(i);
            probe(guardrail, path, unmapped).ifPresent(probe -> {
                if (guardrail.has("interval")) {
                    probe.put("frequency", seconds(Durations.parse(guardrail.path("interval").asText()).orElse(Duration.ofSeconds(1))));
                }
                if (guardrail.path("failureThreshold").asInt(1) > 1) {
                    unmapped.add(new Unmapped(path + ".failureThreshold", "a safeguard ends the experiment at its first failed check"));
                }
                safeguards.add(probe);
            });
        }
        if (!safeguards.isEmpty()) {
            ObjectNode control = ctk.putArray("controls").addObject().put("name", "faultline-guardrails");
            control.putObject("provider").put("type", "python").put("module", ChaosToolkitImporter.SAFEGUARDS)
                    .putObject("arguments").set("probes", safeguards);
        }
        if (spec.has("rampUp")) {
            unmapped.add(new Unmapped("spec.rampUp", "exported at the faults' full percentages from the start"));
        }
        if (spec.has("notify")) {
            unmapped.add(new Unmapped("spec.notify", "Chaos Toolkit notifications are set in its settings file, not the experiment"));
        }
        if (usesPrometheus(ctk)) {
            configuration.putObject("prometheus_base_url").put("type", "env").put("key", "PROMETHEUS_URL").put("default", prometheusUrl);
        }
        if (configuration.isEmpty()) {
            ctk.remove("configuration");
        }
        return new Result(ctk, List.copyOf(unmapped));
    }

    private static boolean usesPrometheus(JsonNode ctk) {
        return ctk.toString().contains("\"module\":\"" + ChaosToolkitImporter.PROMETHEUS_PROBES + "\"");
    }

    /** The chaosistio action holding the faults for the duration, and the rollback removing them. */
    private static void faults(JsonNode spec, ArrayNode method, ArrayNode rollbacks, List<Unmapped> unmapped) {
        JsonNode target = spec.path("target");
        JsonNode delay = null;
        JsonNode abort = null;
        for (int i = 0; i < spec.path("faults").size(); i++) {
            JsonNode fault = spec.path("faults").get(i);
            if (fault.has("delay")) {
                delay = fault.get("delay");
            } else if (fault.path("abort").has("httpStatus")) {
                abort = fault.get("abort");
            } else if (fault.has("abort")) {
                unmapped.add(new Unmapped("spec.faults[" + i + "].abort.grpcStatus", "chaosistio aborts with HTTP statuses only"));
            }
        }
        if (delay == null && abort == null || !target.has("service")) {
            return;
        }
        if (target.has("route")) {
            unmapped.add(new Unmapped("spec.target.route", "chaosistio picks routes by destination, not by name: every route to "
                    + "this destination gets the fault"));
        }
        if (target.has("match")) {
            unmapped.add(new Unmapped("spec.target.match", "chaosistio faults whole routes: every request to this destination "
                    + "gets the fault, not only those matching — a wider blast radius"));
        }
        String service = target.path("service").asText();
        String virtualService = service.split("\\.")[0];
        ObjectNode destination = NODES.objectNode().put("host", service);
        if (target.has("subset")) {
            destination.put("subset", target.path("subset").asText());
        }
        ArrayNode routes = NODES.arrayNode();
        routes.addObject().set("destination", destination);
        String namespace = target.path("namespace").asText("default");

        ObjectNode arguments = NODES.objectNode().put("virtual_service_name", virtualService);
        String func;
        if (delay != null && abort != null) {
            func = "set_fault";
            arguments.set("routes", routes);
            ObjectNode fault = arguments.putObject("fault");
            fault.putObject("delay").put("fixedDelay", delay.path("fixedDelay").asText()).putObject("percentage")
                    .put("value", delay.path("percentage").asDouble());
            fault.putObject("abort").put("httpStatus", abort.path("httpStatus").asInt()).putObject("percentage")
                    .put("value", abort.path("percentage").asDouble());
        } else if (delay != null) {
            func = "add_delay_fault";
            arguments.put("fixed_delay", delay.path("fixedDelay").asText()).put("percentage", delay.path("percentage").asDouble());
            arguments.set("routes", routes);
        } else {
            func = "add_abort_fault";
            arguments.put("http_status", abort.path("httpStatus").asInt()).put("percentage", abort.path("percentage").asDouble());
            arguments.set("routes", routes);
        }
        arguments.put("ns", namespace);
        ObjectNode action = method.addObject().put("type", "action").put("name", "inject-faults-into-" + virtualService);
        action.putObject("provider").put("type", "python").put("module", ChaosToolkitImporter.ISTIO_ACTIONS).put("func", func)
                .set("arguments", arguments);
        Optional<Duration> duration = spec.has("duration") ? Durations.parse(spec.path("duration").asText()) : Optional.empty();
        duration.ifPresent(d -> action.putObject("pauses").put("after", seconds(d)));

        ObjectNode removal = NODES.objectNode().put("virtual_service_name", virtualService);
        removal.set("routes", routes);
        removal.put("ns", namespace);
        String undo = func.equals("set_fault") ? "unset_fault" : func.replace("add_", "remove_");
        ObjectNode rollback = rollbacks.addObject().put("type", "action").put("name", "remove-faults-from-" + virtualService);
        rollback.putObject("provider").put("type", "python").put("module", ChaosToolkitImporter.ISTIO_ACTIONS).put("func", undo)
                .set("arguments", removal);
    }

    /** A Chaos Toolkit probe with its tolerance for a Faultline probe or guardrail; empty (listed) when it has none. */
    private static Optional<ObjectNode> probe(JsonNode check, String path, List<Unmapped> unmapped) {
        ObjectNode probe = NODES.objectNode().put("type", "probe").put("name", check.path("name").asText());
        ObjectNode provider = probe.putObject("provider");
        if (check.has("http")) {
            return http(check.get("http"), probe, provider, path, unmapped);
        }
        if (check.has("prometheus") || check.has("goldenSignal")) {
            if (!check.has("prometheus")) {
                unmapped.add(new Unmapped(path + ".goldenSignal", "export it from a stored experiment, which writes its PromQL"));
                return Optional.empty();
            }
            provider.put("type", "python").put("module", ChaosToolkitImporter.PROMETHEUS_PROBES).put("func", "query")
                    .putObject("arguments").put("query", check.path("prometheus").path("query").asText());
            JsonNode tolerance = check.path("tolerance");
            if (tolerance.has("equals")) {
                probe.putObject("tolerance").put("type", "jsonpath").put("path", "$.data.result[0].value[1]")
                        .put("expect", sample(tolerance.path("equals").asDouble()));
            } else if (tolerance.has("between")) {
                ObjectNode range = probe.putObject("tolerance").put("type", "range");
                range.set("range", tolerance.path("between"));
                unmapped.add(new Unmapped(path + ".tolerance", "exported as a range, which Chaos Toolkit applies to Prometheus' raw "
                        + "answer: reading the value takes a Python tolerance"));
            } else {
                unmapped.add(new Unmapped(path, "Chaos Toolkit cannot compare a Prometheus value with "
                        + tolerance.properties().iterator().next().getKey() + " without a Python tolerance; the probe is left out"));
                return Optional.empty();
            }
            return Optional.of(probe);
        }
        if (check.has("kubernetes")) {
            ObjectNode arguments = provider.put("type", "python").put("module", ChaosToolkitImporter.K8S_DEPLOYMENT_PROBES)
                    .put("func", ChaosToolkitImporter.K8S_DEPLOYMENT_HEALTHY).putObject("arguments")
                    .put("name", check.path("kubernetes").path("deployment").asText());
            if (check.path("kubernetes").has("namespace")) {
                arguments.put("ns", check.path("kubernetes").path("namespace").asText());
            }
            probe.put("tolerance", true);
            return Optional.of(probe);
        }
        unmapped.add(new Unmapped(path, "has no measurement Chaos Toolkit knows"));
        return Optional.empty();
    }

    private static Optional<ObjectNode> http(JsonNode http, ObjectNode probe, ObjectNode provider, String path, List<Unmapped> unmapped) {
        provider.put("type", "http").put("url", http.path("url").asText());
        if (http.has("method")) {
            provider.put("method", http.path("method").asText());
        }
        if (http.has("headers")) {
            provider.set("headers", http.get("headers"));
        }
        if (http.has("body")) {
            try {
                provider.set("arguments", JSON.readTree(http.path("body").asText()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
                unmapped.add(new Unmapped(path + ".http.body", "Chaos Toolkit sends a JSON object or form fields, not this text"));
            }
        }
        if (http.has("timeout")) {
            provider.put("timeout", seconds(Durations.parse(http.path("timeout").asText()).orElseThrow()));
        }
        if (http.has("maxLatency")) {
            unmapped.add(new Unmapped(path + ".http.maxLatency", "a Chaos Toolkit tolerance cannot judge latency; timeout bounds it"));
        }
        List<String> expectations = new ArrayList<>();
        if (http.has("expectStatus")) {
            StatusRange status = StatusRange.parse(http.path("expectStatus").asText()).orElse(StatusRange.SUCCESS);
            if (status.low() == status.high()) {
                probe.put("tolerance", status.low());
            } else {
                ObjectNode range = probe.putObject("tolerance").put("type", "range").put("target", "status");
                range.putArray("range").add(status.low()).add(status.high());
            }
            expectations.add("expectStatus");
        }
        if (http.has("bodyRegex")) {
            if (expectations.isEmpty()) {
                probe.putObject("tolerance").put("type", "regex").put("pattern", http.path("bodyRegex").asText()).put("target", "body");
            }
            expectations.add("bodyRegex");
        }
        if (http.has("jsonPath")) {
            if (expectations.isEmpty()) {
                probe.putObject("tolerance").put("type", "jsonpath").put("path", http.path("jsonPath").path("path").asText())
                        .put("expect", http.path("jsonPath").path("equals").asText()).put("target", "body");
            }
            expectations.add("jsonPath");
        }
        if (expectations.isEmpty()) {
            ObjectNode range = probe.putObject("tolerance").put("type", "range").put("target", "status");
            range.putArray("range").add(StatusRange.SUCCESS.low()).add(StatusRange.SUCCESS.high());
        }
        for (String dropped : expectations.subList(Math.min(1, expectations.size()), expectations.size())) {
            unmapped.add(new Unmapped(path + ".http." + dropped, "a Chaos Toolkit probe has one tolerance; " + expectations.get(0)
                    + " is the one exported"));
        }
        return Optional.of(probe);
    }

    /** Seconds as Chaos Toolkit writes pauses and timeouts: a whole number when it is one. */
    private static JsonNode seconds(Duration duration) {
        BigDecimal seconds = BigDecimal.valueOf(duration.toMillis()).movePointLeft(3).stripTrailingZeros();
        return seconds.scale() <= 0 ? NODES.numberNode(seconds.longValueExact()) : NODES.numberNode(seconds.doubleValue());
    }

    /** A sample value as Prometheus prints it: {@code 1}, {@code 0.5}. */
    private static String sample(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}

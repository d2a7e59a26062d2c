package dev.faultline.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.Durations;

/**
 * Faultline's target and faults as the method's chaosistio actions give them, and the routes
 * those actions faulted (a rollback that removes their faults is Faultline's own recovery).
 */
final class IstioFaults {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Substitutions substitutions;
    private final ImportFindings findings;
    private ObjectNode target;
    private final ArrayNode faults = NODES.arrayNode();
    private final List<String> faultedRoutes = new ArrayList<>();

    IstioFaults(Substitutions substitutions, ImportFindings findings) {
        this.substitutions = substitutions;
        this.findings = findings;
    }

    boolean isEmpty() {
        return faults.isEmpty();
    }

    /** Whether a chaosistio rollback with these (substituted) arguments removes faults an action of this import brought in. */
    boolean undoneBy(JsonNode arguments) {
        return faultedRoutes.contains(arguments == null ? "" : routes(arguments));
    }

    /** Sets spec.target and spec.faults, when the method gave them. */
    void writeTo(ObjectNode spec) {
        if (target != null) {
            spec.set("target", target);
        }
        if (!faults.isEmpty()) {
            spec.set("faults", faults);
        }
    }

    /** Target and faults from a chaosistio action. */
    void add(JsonNode activity, String path) {
        String at = path + ".provider.arguments";
        List<Unmapped> problems = new ArrayList<>();
        JsonNode arguments = substitutions.apply(activity.path("provider").get("arguments"), at, problems);
        if (arguments == null) {
            findings.error(at, "is required: virtual_service_name, routes and the fault");
            return;
        }
        JsonNode routes = arguments.get("routes");
        if (routes == null || !routes.isArray() || routes.isEmpty() || !routes.get(0).path("destination").path("host").isTextual()) {
            findings.error(at + ".routes", "is required: a list of {destination: {host, subset}} naming the routes to fault");
            return;
        }
        JsonNode destination = routes.get(0).path("destination");
        String namespace = arguments.path("ns").asText("default");
        ObjectNode wanted = NODES.objectNode().put("namespace", namespace).put("service", destination.path("host").asText());
        if (destination.path("subset").isTextual()) {
            wanted.put("subset", destination.path("subset").asText());
        }
        if (target != null && !target.equals(wanted)) {
            findings.unmapped(path, "faults another target than the first fault action (" + describe(target)
                    + "); a Faultline experiment faults one target");
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
            if (added.isEmpty() && !findings.hasErrors()) {
                findings.error(at + ".fault", "is required: {delay: {fixedDelay, percentage}} and/or {abort: {httpStatus, percentage}}");
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
                findings.unmapped(path, "a second " + kind + " on the same target; a Faultline experiment has one delay "
                        + "and one abort (rampUp raises percentages step by step)");
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
        faultedRoutes.add(routes(arguments));
        findings.unmappedAll(problems);
    }

    private Optional<ObjectNode> delay(JsonNode fixedDelay, JsonNode percentage, String at) {
        Optional<Duration> delay = fixedDelay == null ? Optional.empty()
                : fixedDelay.isNumber() ? Optional.of(Duration.ofMillis(Math.round(fixedDelay.asDouble() * 1000)))
                        : Durations.parse(fixedDelay.asText());
        if (delay.isEmpty()) {
            findings.error(at + (at.endsWith("delay") ? ".fixedDelay" : ".fixed_delay"), "is required: a duration such as 5s");
            return Optional.empty();
        }
        ObjectNode fault = NODES.objectNode();
        fault.putObject("delay").put("fixedDelay", Durations.format(delay.get())).put("percentage", percentage(percentage));
        return Optional.of(fault);
    }

    private Optional<ObjectNode> abort(JsonNode status, JsonNode percentage, String at) {
        if (status == null || !status.canConvertToInt() || !(status.isNumber() || status.asText().matches("\\d{3}"))) {
            findings.error(at + (at.endsWith("abort") ? ".httpStatus" : ".http_status"), "is required: an HTTP status such as 503");
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

    /** The VirtualService, namespace and routes that a chaosistio action's arguments name. */
    private static String routes(JsonNode arguments) {
        return arguments.path("virtual_service_name").asText() + "/" + arguments.path("ns").asText("default") + "/" + arguments.path("routes");
    }

    private static String describe(ObjectNode target) {
        return target.path("service").asText() + (target.has("subset") ? " subset " + target.path("subset").asText() : "")
                + " in " + target.path("namespace").asText();
    }
}

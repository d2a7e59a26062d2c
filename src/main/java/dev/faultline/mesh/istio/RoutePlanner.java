package dev.faultline.mesh.istio;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.experiment.spec.Fault;
import dev.faultline.experiment.spec.Target;
import dev.faultline.mesh.FaultRequest;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.MeshException.Reason;

/**
 * Works out, on plain JSON and without touching the cluster, which route of which VirtualService
 * serves a target and what the resource looks like with Faultline's route in front of it — or the
 * dedicated VirtualService when there is none. Everything not added is copied, never rebuilt, so the
 * user's resource keeps every field Faultline does not know about.
 */
final class RoutePlanner {

    static final String API_VERSION = "networking.istio.io/v1";
    static final String KIND = "VirtualService";
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String RUN = "faultline.dev/run";
    static final String ROUTE = "faultline.dev/route";
    static final String EXPIRES_AT = "faultline.dev/expires-at";
    static final String EPOCH = "faultline.dev/epoch";
    static final String FAULTLINE = "faultline";
    private static final String CLUSTER_DOMAIN = "svc.cluster.local";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private RoutePlanner() {
    }

    /** The target service as a host: its short name and namespace. */
    record Host(String name, String namespace) {

        static Host of(Target target) {
            String[] labels = target.service().split("\\.");
            if (labels.length > 1 && !labels[1].equals(target.namespace())) {
                throw new MeshException(Reason.TARGET_UNRESOLVED, "spec.target.service " + target.service()
                        + " names namespace " + labels[1] + " but spec.target.namespace is " + target.namespace());
            }
            return new Host(target.serviceName(), target.namespace());
        }

        String fqdn() {
            return name + "." + namespace + "." + CLUSTER_DOMAIN;
        }

        /** Whether {@code host}, written in a resource of {@code resourceNamespace}, means this service. */
        boolean is(String host, String resourceNamespace) {
            String[] labels = host.split("\\.");
            String full = switch (labels.length) {
                case 1 -> host + "." + resourceNamespace + "." + CLUSTER_DOMAIN;
                case 2 -> host + "." + CLUSTER_DOMAIN;
                case 3 -> labels[2].equals("svc") ? host + ".cluster.local" : host;
                default -> host;
            };
            return full.equals(fqdn());
        }
    }

    /** The VirtualServices of {@code namespace} that route mesh traffic for the host; wildcard hosts noted in {@code warnings}. */
    static List<JsonNode> serving(List<JsonNode> virtualServices, Host host, List<String> warnings) {
        List<JsonNode> serving = new ArrayList<>();
        for (JsonNode vs : virtualServices) {
            JsonNode gateways = vs.path("spec").path("gateways");
            boolean meshTraffic = gateways.isMissingNode() || gateways.isEmpty() || contains(gateways, "mesh");
            if (!meshTraffic) {
                continue;
            }
            for (JsonNode h : vs.path("spec").path("hosts")) {
                if (h.asText().startsWith("*")) {
                    warnings.add("VirtualService " + name(vs) + " has the wildcard host " + h.asText()
                            + "; Faultline does not write into wildcard VirtualServices");
                } else if (host.is(h.asText(), namespace(vs))) {
                    serving.add(vs);
                    break;
                }
            }
        }
        return serving;
    }

    /**
     * The index of the route in {@code vs} that serves the target: the route named {@code target.route}
     * when given; otherwise, among the routes with a destination on the host (and subset), the only
     * one, or the first whose match the target's requests can satisfy.
     */
    static int servedRoute(JsonNode vs, Host host, Target target) {
        JsonNode http = vs.path("spec").path("http");
        if (http.isEmpty()) {
            throw new MeshException(Reason.TARGET_UNRESOLVED, "VirtualService " + name(vs) + " has no http routes for "
                    + host.fqdn() + "; Faultline injects HTTP faults only");
        }
        if (target.route() != null) {
            for (int i = 0; i < http.size(); i++) {
                if (target.route().equals(http.get(i).path("name").asText(null))) {
                    return i;
                }
            }
            throw new MeshException(Reason.TARGET_UNRESOLVED, "VirtualService " + name(vs) + " has no route named "
                    + target.route() + " (spec.target.route); its routes: " + describeRoutes(http));
        }
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < http.size(); i++) {
            if (hasDestination(http.get(i), host, target.subset(), namespace(vs))) {
                candidates.add(i);
            }
        }
        if (candidates.isEmpty()) {
            throw new MeshException(Reason.TARGET_UNRESOLVED, "no route of VirtualService " + name(vs) + " sends traffic to "
                    + host.name() + (target.subset() == null ? "" : " subset " + target.subset()) + "; its routes: "
                    + describeRoutes(http));
        }
        // Istio takes the first route that matches: walk the routes in order, as far as the first that takes every target request.
        List<Integer> reached = new ArrayList<>();
        int takesAll = -1;
        for (int i = 0; i < http.size() && takesAll < 0; i++) {
            Reach reach = reach(http.get(i), target.match());
            if (reach != Reach.NONE && candidates.contains(i)) {
                reached.add(i);
            }
            if (reach == Reach.ALL) {
                takesAll = i;
            }
        }
        if (reached.size() == 1) {
            return reached.get(0);
        }
        if (reached.isEmpty()) {
            int first = candidates.get(0);
            throw new MeshException(Reason.TARGET_UNRESOLVED, "the requests of spec.target.match are never served by "
                    + (candidates.size() == 1 ? "route " : "routes ") + describeRoutes(http, candidates) + " of VirtualService "
                    + name(vs) + (takesAll >= 0 && takesAll < first ? ": route " + describeRoutes(http, List.of(takesAll))
                    + " takes them all first" : ": " + String.join("; ", emptyReasons(http, candidates, target.match()))));
        }
        throw new MeshException(Reason.TARGET_UNRESOLVED, reached.size() + " routes of VirtualService " + name(vs)
                + " send requests of the target to " + host.name() + (target.subset() == null ? "" : " subset " + target.subset())
                + ": " + describeRoutes(http, reached)
                + ". Name one with spec.target.route, or narrow the target with spec.target.subset or spec.target.match");
    }

    /** How many of the target's requests a route sees, leaving aside the routes before it. */
    enum Reach {
        NONE, SOME, ALL
    }

    /** NONE when no match block of the route has a request in common with the target's match; ALL when one takes them all. */
    static Reach reach(JsonNode route, Target.Match match) {
        JsonNode blocks = route.path("match");
        if (blocks.isEmpty()) {
            return Reach.ALL;
        }
        Reach reach = Reach.NONE;
        for (JsonNode block : blocks) {
            if (MatchIntersection.contains(block, match)) {
                return Reach.ALL;
            }
            try {
                MatchIntersection.intersect(block, match, "match");
                reach = Reach.SOME;
            } catch (MatchIntersection.Empty e) {
                // this block sees none of them
            } catch (MatchIntersection.Undecidable e) {
                reach = Reach.SOME; // it may see some; a fault route there would be refused when it is built
            }
        }
        return reach;
    }

    /** When the route named by the target sits behind a route that takes every request of the target, nothing would be faulted. */
    static void checkNotShadowed(JsonNode vs, int index, Target.Match match) {
        JsonNode http = vs.path("spec").path("http");
        for (int i = 0; i < index; i++) {
            if (reach(http.get(i), match) == Reach.ALL) {
                throw new MeshException(Reason.TARGET_UNRESOLVED, "the requests of spec.target.match are never served by route "
                        + describeRoutes(http, List.of(index)) + " of VirtualService " + name(vs) + ": route "
                        + describeRoutes(http, List.of(i)) + " takes them all first");
            }
        }
    }

    private static List<String> emptyReasons(JsonNode http, List<Integer> routes, Target.Match match) {
        List<String> reasons = new ArrayList<>();
        for (int index : routes) {
            JsonNode blocks = http.get(index).path("match");
            for (int b = 0; b < blocks.size(); b++) {
                try {
                    MatchIntersection.intersect(blocks.get(b), match, "http[" + index + "].match[" + b + "]");
                } catch (MatchIntersection.Empty | MatchIntersection.Undecidable e) {
                    reasons.add(e.getMessage());
                }
            }
        }
        return reasons;
    }

    /** The subsets a route splits its traffic across, when it splits by weight across more than one. */
    static List<String> weightedSubsets(JsonNode route) {
        List<String> subsets = new ArrayList<>();
        for (JsonNode destination : route.path("route")) {
            String subset = destination.path("destination").path("subset").asText("(any)");
            if (!subsets.contains(subset)) {
                subsets.add(subset);
            }
        }
        return subsets.size() > 1 ? subsets : List.of();
    }

    /**
     * A copy of the served route that carries the fault: named for the run, matching only what both
     * the route and the target match, with the same destinations and everything else the route has.
     */
    static ObjectNode faultRoute(JsonNode served, String where, FaultRequest request) {
        ObjectNode route = served.deepCopy();
        route.put("name", request.ruleName());
        ArrayNode match = mergedMatch(served.path("match"), request.target().match(), where);
        route.remove("match");
        if (!match.isEmpty()) {
            route.set("match", match);
        }
        route.set("fault", fault(request.delay(), request.abort()));
        return reorder(route);
    }

    /** The dedicated VirtualService for a host that has none: the fault route, then a route for everything else. */
    static ObjectNode dedicated(FaultRequest request, Host host) {
        ObjectNode vs = JSON.objectNode();
        vs.put("apiVersion", API_VERSION);
        vs.put("kind", KIND);
        ObjectNode metadata = vs.putObject("metadata");
        metadata.put("name", request.ruleName());
        metadata.put("namespace", host.namespace());
        metadata.putObject("labels").put(MANAGED_BY, FAULTLINE);
        annotate(vs, request);
        ObjectNode spec = vs.putObject("spec");
        spec.putArray("hosts").add(host.name());
        ArrayNode http = spec.putArray("http");
        ObjectNode route = http.addObject();
        route.put("name", request.ruleName());
        ArrayNode match = mergedMatch(JSON.arrayNode(), request.target().match(), "the dedicated VirtualService");
        if (!match.isEmpty()) {
            route.set("match", match);
        }
        route.set("fault", fault(request.delay(), request.abort()));
        route.putArray("route").addObject().putObject("destination").put("host", host.name());
        if (!match.isEmpty()) {
            ObjectNode rest = http.addObject();
            rest.put("name", request.ruleName() + "-unmatched");
            rest.putArray("route").addObject().putObject("destination").put("host", host.name());
        }
        return vs;
    }

    static void annotate(ObjectNode vs, FaultRequest request) {
        ObjectNode metadata = (ObjectNode) vs.path("metadata");
        ObjectNode annotations = metadata.has("annotations") && metadata.get("annotations").isObject()
                ? (ObjectNode) metadata.get("annotations")
                : metadata.putObject("annotations");
        annotations.put(RUN, request.runId());
        annotations.put(ROUTE, request.ruleName());
        annotations.put(EXPIRES_AT, request.expiresAt().toString());
        annotations.put(EPOCH, Long.toString(request.epoch()));
    }

    /** Takes Faultline's annotations off, and the annotations object with them when Faultline added it empty-handed. */
    static void unannotate(ObjectNode vs) {
        JsonNode annotations = vs.path("metadata").path("annotations");
        if (annotations instanceof ObjectNode object) {
            object.remove(List.of(RUN, ROUTE, EXPIRES_AT, EPOCH));
            if (object.isEmpty()) {
                ((ObjectNode) vs.get("metadata")).remove("annotations");
            }
        }
    }

    static String annotation(JsonNode vs, String key) {
        return vs.path("metadata").path("annotations").path(key).asText(null);
    }

    /** Index of the route named {@code name}, or -1. */
    static int routeIndex(JsonNode vs, String name) {
        JsonNode http = vs.path("spec").path("http");
        for (int i = 0; i < http.size(); i++) {
            if (name.equals(http.get(i).path("name").asText(null))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The run and route Faultline's annotations on {@code vs} name, or null when it carries none: the
     * annotations, not a route's name, say what is Faultline's, so a team's own {@code faultline-ui} is never touched.
     */
    static Owner owner(JsonNode vs) {
        String run = annotation(vs, RUN);
        String route = annotation(vs, ROUTE);
        return run == null || route == null ? null : new Owner(run, route);
    }

    /** The run whose rule a VirtualService holds, and the route that holds it. */
    record Owner(String runId, String route) {

        boolean is(String otherRunId, String otherRoute) {
            return runId.equals(otherRunId) && route.equals(otherRoute);
        }
    }

    /** Whether Faultline created {@code vs} for a run: its label says so and its annotation names the run. */
    static boolean dedicated(JsonNode vs) {
        return FAULTLINE.equals(vs.path("metadata").path("labels").path(MANAGED_BY).asText(null)) && annotation(vs, RUN) != null;
    }

    /** The epoch the annotations carry; 0 when missing or not a number, the same as a writer from before epochs. */
    static long epoch(JsonNode vs) {
        String value = annotation(vs, EPOCH);
        try {
            return value == null ? 0 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static ObjectNode fault(Fault.Delay delay, Fault.Abort abort) {
        ObjectNode fault = JSON.objectNode();
        if (delay != null) {
            ObjectNode node = fault.putObject("delay");
            node.put("fixedDelay", protobufDuration(delay.fixedDelay()));
            node.putObject("percentage").put("value", delay.percentage());
        }
        if (abort != null) {
            ObjectNode node = fault.putObject("abort");
            if (abort.httpStatus() != null) {
                node.put("httpStatus", abort.httpStatus());
            } else {
                node.put("grpcStatus", abort.grpcStatus());
            }
            node.putObject("percentage").put("value", abort.percentage());
        }
        return fault;
    }

    /** Seconds with an {@code s}, as protobuf's JSON and Istio's CRD both accept: {@code 2s}, {@code 0.25s}. */
    static String protobufDuration(Duration duration) {
        BigDecimal seconds = BigDecimal.valueOf(duration.getSeconds()).add(BigDecimal.valueOf(duration.getNano(), 9));
        return seconds.stripTrailingZeros().toPlainString() + "s";
    }

    static String name(JsonNode vs) {
        return namespace(vs) + "/" + vs.path("metadata").path("name").asText();
    }

    static String namespace(JsonNode vs) {
        return vs.path("metadata").path("namespace").asText();
    }

    static Instant expiresAt(JsonNode vs) {
        String value = annotation(vs, EXPIRES_AT);
        try {
            return value == null ? null : Instant.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    private static boolean hasDestination(JsonNode route, Host host, String subset, String resourceNamespace) {
        for (JsonNode destination : route.path("route")) {
            JsonNode d = destination.path("destination");
            if (host.is(d.path("host").asText(""), resourceNamespace)
                    && (subset == null || subset.equals(d.path("subset").asText(null)))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The route's match blocks (OR), each intersected with the target's match (AND); blocks with no request
     * in common drop out. Refuses, rather than guesses, when a block cannot be intersected exactly.
     */
    private static ArrayNode mergedMatch(JsonNode routeMatch, Target.Match match, String where) {
        ArrayNode merged = JSON.arrayNode();
        if (routeMatch.isEmpty()) {
            ObjectNode only = intersect(JSON.objectNode(), match, where, where);
            if (only != null && !only.isEmpty()) {
                merged.add(only);
            }
            return merged;
        }
        List<String> empty = new ArrayList<>();
        for (int i = 0; i < routeMatch.size(); i++) {
            String block = where + " match[" + i + "]";
            try {
                merged.add(MatchIntersection.intersect(routeMatch.get(i), match, block));
            } catch (MatchIntersection.Empty e) {
                empty.add(e.getMessage());
            } catch (MatchIntersection.Undecidable e) {
                throw undecidable(where, e);
            }
        }
        if (merged.isEmpty()) {
            throw new MeshException(Reason.TARGET_UNRESOLVED, "the requests of spec.target.match are never served by " + where
                    + ": " + String.join("; ", empty));
        }
        return merged;
    }

    private static ObjectNode intersect(JsonNode block, Target.Match match, String where, String blockName) {
        try {
            return MatchIntersection.intersect(block, match, blockName);
        } catch (MatchIntersection.Empty e) {
            throw new MeshException(Reason.TARGET_UNRESOLVED, "spec.target.match selects no request: " + e.getMessage());
        } catch (MatchIntersection.Undecidable e) {
            throw undecidable(where, e);
        }
    }

    private static MeshException undecidable(String where, MatchIntersection.Undecidable e) {
        return new MeshException(Reason.REFUSED, "Faultline cannot narrow " + where + " to exactly the requests of "
                + "spec.target.match, and will not guess: " + e.getMessage());
    }

    /** name, match, fault first, as people write routes; the rest in the served route's order. */
    private static ObjectNode reorder(ObjectNode route) {
        ObjectNode ordered = JSON.objectNode();
        for (String first : List.of("name", "match", "fault")) {
            if (route.has(first)) {
                ordered.set(first, route.get(first));
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = route.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!ordered.has(field.getKey())) {
                ordered.set(field.getKey(), field.getValue());
            }
        }
        return ordered;
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode item : array) {
            if (Objects.equals(item.asText(), value)) {
                return true;
            }
        }
        return false;
    }

    private static String describeRoutes(JsonNode http) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < http.size(); i++) {
            all.add(i);
        }
        return describeRoutes(http, all);
    }

    private static String describeRoutes(JsonNode http, List<Integer> indexes) {
        List<String> parts = new ArrayList<>();
        for (int index : indexes) {
            JsonNode route = http.get(index);
            StringBuilder part = new StringBuilder("http[" + index + "]");
            if (route.has("name")) {
                part.append(" \"").append(route.get("name").asText()).append('"');
            }
            part.append(route.has("match") ? " match " + route.get("match") : " (no match)");
            List<String> destinations = new ArrayList<>();
            route.path("route").forEach(d -> destinations.add(d.path("destination").path("host").asText()
                    + (d.path("destination").has("subset") ? "/" + d.path("destination").path("subset").asText() : "")
                    + (d.has("weight") ? " " + d.get("weight").asText() + "%" : "")));
            part.append(" → ").append(String.join(", ", destinations));
            parts.add(part.toString());
        }
        return String.join("; ", parts);
    }
}

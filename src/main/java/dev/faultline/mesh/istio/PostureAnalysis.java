package dev.faultline.mesh.istio;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.Durations;
import dev.faultline.mesh.DataPlane;
import dev.faultline.mesh.Posture;
import dev.faultline.mesh.istio.RoutePlanner.Host;

/**
 * The posture of a namespace from the resources read from it: pure, so that every rule can be tested
 * on documents alone.
 *
 * <p>What counts, as Istio applies it to calls inside the mesh:
 * <ul>
 * <li>routes: every HTTP route of a VirtualService of the namespace that serves mesh traffic for the
 * service's host; Faultline's own fault routes (and the VirtualServices it created) are left out;
 * <li>circuit breaking: the {@code trafficPolicy} of the DestinationRule of the namespace for the host,
 * and of its subsets;
 * <li>mTLS: a PeerAuthentication whose selector matches the service's pods, else the namespace's (one
 * without a selector), else the mesh's (in the root namespace); {@code UNSET} inherits from the next.
 * When several apply at one level Istio takes the oldest, and so does this.
 * </ul>
 */
final class PostureAnalysis {

    static final String UNSET = "UNSET";

    private PostureAnalysis() {
    }

    /**
     * @param services the namespace's Services
     * @param peerAuthentications the namespace's PeerAuthentications
     * @param meshPeerAuthentications the root namespace's (only those without a selector count, mesh-wide)
     * @param meshUnreadable why the root namespace's could not be read, or null
     * @param dataPlanes each service's data plane; a service not in it has sidecars
     */
    static Posture of(String namespace, String rootNamespace, String meshUnreadable, Map<String, DataPlane> dataPlanes,
            List<JsonNode> services, List<JsonNode> virtualServices,
            List<JsonNode> destinationRules, List<JsonNode> peerAuthentications, List<JsonNode> meshPeerAuthentications) {
        Mode mesh = oldest(meshPeerAuthentications.stream().filter(pa -> !hasSelector(pa)).toList())
                .map(pa -> Mode.of(pa, "mesh-wide PeerAuthentication " + rootNamespace + "/" + shortName(pa)))
                .orElse(new Mode(UNSET, meshUnreadable != null ? meshUnreadable
                        : "no PeerAuthentication sets it (Istio's default accepts plain text as well as mTLS)"));
        Mode namespaceMode = oldest(peerAuthentications.stream().filter(pa -> !hasSelector(pa)).toList())
                .map(pa -> Mode.of(pa, "namespace-wide PeerAuthentication " + namespace + "/" + shortName(pa)))
                .map(mode -> mode.inheriting(mesh)).orElse(mesh);
        List<JsonNode> mine = virtualServices.stream().filter(vs -> !RoutePlanner.dedicated(vs)).toList();
        List<Posture.Service> result = new ArrayList<>();
        for (JsonNode service : services.stream().sorted(Comparator.comparing(PostureAnalysis::shortName)).toList()) {
            String name = shortName(service);
            Host host = new Host(name, namespace);
            Mode mode = workloadMode(namespace, service, peerAuthentications).map(m -> m.inheriting(namespaceMode)).orElse(namespaceMode);
            List<String> warnings = new ArrayList<>();
            List<JsonNode> serving = RoutePlanner.serving(mine, host, warnings);
            List<Posture.Route> routes = new ArrayList<>();
            serving.forEach(vs -> routes.addAll(routes(vs, host)));
            Posture.CircuitBreaker breaker = circuitBreaker(destinationRules, host);
            DataPlane dataPlane = dataPlanes.getOrDefault(name, DataPlane.SIDECAR);
            List<String> gaps = new ArrayList<>();
            if (!dataPlane.faultsTakeEffect()) {
                gaps.add("in ambient mode VirtualService routes take effect only in a waypoint, and none handles " + name
                        + (routes.isEmpty() ? "" : ": the timeouts and retries below do nothing") + " (" + dataPlane.missing() + ")");
            }
            gaps.addAll(gaps(name, serving, routes, breaker, mode));
            result.add(new Posture.Service(name, dataPlane.ambient() ? "ambient" : "sidecar", dataPlane.waypoint(), mode.mode(),
                    mode.source(), List.copyOf(routes), breaker, List.copyOf(gaps)));
        }
        return new Posture(namespace, namespaceMode.mode(), namespaceMode.source(), List.copyOf(result));
    }

    /** A mode and the resource that set it. */
    record Mode(String mode, String source) {

        static Mode of(JsonNode pa, String what) {
            String mode = pa.path("spec").path("mtls").path("mode").asText(UNSET);
            String ports = pa.path("spec").path("portLevelMtls").isObject() && !pa.path("spec").path("portLevelMtls").isEmpty()
                    ? " (ports " + String.join(", ", fieldNames(pa.path("spec").path("portLevelMtls"))) + " set their own)" : "";
            return new Mode(mode.isBlank() ? UNSET : mode, what + ports);
        }

        /** UNSET takes the mode of the level above, saying so. */
        Mode inheriting(Mode parent) {
            return UNSET.equals(mode) ? new Mode(parent.mode(), source + " leaves it UNSET, so " + parent.source()) : this;
        }
    }

    private static Optional<Mode> workloadMode(String namespace, JsonNode service, List<JsonNode> peerAuthentications) {
        JsonNode selector = service.path("spec").path("selector");
        if (!selector.isObject() || selector.isEmpty()) {
            return Optional.empty();
        }
        List<JsonNode> matching = peerAuthentications.stream().filter(PostureAnalysis::hasSelector)
                .filter(pa -> selects(pa.path("spec").path("selector").path("matchLabels"), selector)).toList();
        return oldest(matching).map(pa -> Mode.of(pa, "PeerAuthentication " + namespace + "/" + shortName(pa)
                + " for its workloads"));
    }

    /** Whether pods with the service's selector labels carry every label the PeerAuthentication selects. */
    private static boolean selects(JsonNode matchLabels, JsonNode podLabels) {
        for (String key : fieldNames(matchLabels)) {
            if (!matchLabels.path(key).asText().equals(podLabels.path(key).asText(null))) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasSelector(JsonNode pa) {
        JsonNode labels = pa.path("spec").path("selector").path("matchLabels");
        return labels.isObject() && !labels.isEmpty();
    }

    private static Optional<JsonNode> oldest(List<JsonNode> resources) {
        return resources.stream().min(Comparator.comparing((JsonNode r) -> r.path("metadata").path("creationTimestamp").asText("~"))
                .thenComparing(PostureAnalysis::shortName));
    }

    private static List<Posture.Route> routes(JsonNode vs, Host host) {
        RoutePlanner.Owner owner = RoutePlanner.owner(vs);
        JsonNode http = vs.path("spec").path("http");
        List<Posture.Route> routes = new ArrayList<>();
        for (int i = 0; i < http.size(); i++) {
            JsonNode route = http.get(i);
            String name = route.path("name").asText(null);
            if (owner != null && owner.route().equals(name)) {
                continue;
            }
            List<String> subsets = new ArrayList<>();
            for (JsonNode destination : route.path("route")) {
                JsonNode d = destination.path("destination");
                if (host.is(d.path("host").asText(""), RoutePlanner.namespace(vs)) && d.hasNonNull("subset")) {
                    subsets.add(d.path("subset").asText());
                }
            }
            JsonNode retries = route.path("retries");
            routes.add(new Posture.Route(shortName(vs), name != null ? name : "#" + i, i, List.copyOf(subsets),
                    route.hasNonNull("timeout") ? route.path("timeout").asText() : null,
                    retries.isObject() ? new Posture.Retries(retries.path("attempts").asInt(0),
                            retries.path("perTryTimeout").asText(null), retries.path("retryOn").asText(null)) : null));
        }
        return routes;
    }

    private static Posture.CircuitBreaker circuitBreaker(List<JsonNode> destinationRules, Host host) {
        List<JsonNode> rules = destinationRules.stream()
                .filter(dr -> host.is(dr.path("spec").path("host").asText(""), RoutePlanner.namespace(dr))).toList();
        return oldest(rules).map(dr -> {
            JsonNode policy = dr.path("spec").path("trafficPolicy");
            List<Posture.SubsetPolicy> subsets = new ArrayList<>();
            for (JsonNode subset : dr.path("spec").path("subsets")) {
                JsonNode own = subset.path("trafficPolicy");
                if (own.has("outlierDetection") || own.has("connectionPool")) {
                    subsets.add(new Posture.SubsetPolicy(subset.path("name").asText(), own.get("outlierDetection"), own.get("connectionPool")));
                }
            }
            return new Posture.CircuitBreaker(shortName(dr), policy.get("outlierDetection"), policy.get("connectionPool"),
                    List.copyOf(subsets));
        }).orElse(null);
    }

    private static List<String> gaps(String service, List<JsonNode> serving, List<Posture.Route> routes,
            Posture.CircuitBreaker breaker, Mode mode) {
        List<String> gaps = new ArrayList<>();
        if (routes.isEmpty()) {
            gaps.add("no timeout on calls to " + service + ": no VirtualService routes them, so a caller waits as long as its own "
                    + "client lets it (and Istio retries twice on connection failures only)");
        }
        if (serving.size() > 1) {
            gaps.add(serving.size() + " VirtualServices route calls to " + service + " ("
                    + String.join(", ", serving.stream().map(PostureAnalysis::shortName).toList())
                    + "); Istio applies only one of them to calls inside the mesh");
        }
        for (Posture.Route route : routes) {
            String where = " (VirtualService " + route.virtualService() + ", route " + route.route() + ")";
            if (route.timeout() == null) {
                gaps.add("no timeout on calls to " + service + where);
            }
            if (route.retries() != null && route.retries().attempts() == 0) {
                gaps.add("retries off on calls to " + service + where);
            }
            if (route.retries() != null && route.retries().attempts() > 0 && route.timeout() != null
                    && route.retries().perTryTimeout() != null) {
                Optional<Duration> perTry = Durations.parse(route.retries().perTryTimeout());
                Optional<Duration> timeout = Durations.parse(route.timeout());
                if (perTry.isPresent() && timeout.isPresent()
                        && perTry.get().multipliedBy(route.retries().attempts() + 1L).compareTo(timeout.get()) > 0) {
                    gaps.add(route.retries().attempts() + " retries of " + route.retries().perTryTimeout() + " each do not fit in the "
                            + route.timeout() + " timeout of calls to " + service + where + "; the last attempts never run");
                }
            }
        }
        if (breaker == null || !breaker.detectsOutliers()) {
            gaps.add("no circuit breaking for " + service + ": " + Posture.CircuitBreaker.whyNone(breaker)
                    + ", so failing endpoints keep getting traffic");
        }
        switch (mode.mode()) {
            case "STRICT" -> {
            }
            case "DISABLE" -> gaps.add("mTLS DISABLE for " + service + ": its workloads accept plain text only (" + mode.source() + ")");
            case "PERMISSIVE" -> gaps.add("mTLS PERMISSIVE for " + service + ": its workloads accept plain text as well as mTLS ("
                    + mode.source() + ")");
            default -> gaps.add("mTLS not set for " + service + ": " + mode.source());
        }
        return List.copyOf(gaps);
    }

    private static String shortName(JsonNode resource) {
        return resource.path("metadata").path("name").asText();
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

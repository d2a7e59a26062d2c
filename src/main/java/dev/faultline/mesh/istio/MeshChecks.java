package dev.faultline.mesh.istio;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.experiment.spec.Target;
import dev.faultline.mesh.DataPlane;
import dev.faultline.mesh.DataPlanes;
import dev.faultline.mesh.FaultRequest;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.MeshException.Reason;
import dev.faultline.mesh.istio.RoutePlanner.Host;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * What besides the VirtualServices decides whether a fault rule for a service would do what its experiment
 * says: the service's data plane (in ambient mode only a waypoint applies a VirtualService fault, and it
 * applies it to every caller, whatever the match says about callers) and Gateway API HTTPRoutes for the same
 * host (Istio does not define what happens when both route a host). A rule that would fault nothing, or fault
 * other requests than declared, is refused before anything is written, with the reason in words.
 */
final class MeshChecks {

    static final ResourceDefinitionContext HTTP_ROUTES = new ResourceDefinitionContext.Builder()
            .withGroup("gateway.networking.k8s.io").withVersion("v1").withKind("HTTPRoute").withPlural("httproutes")
            .withNamespaced(true).build();

    /** What the user should know ({@code warnings}, the refusals among them) and why the rule must not be written. */
    record Findings(List<String> warnings, List<String> refusals) {
    }

    private final KubernetesClient client;
    private final DataPlanes dataPlanes;

    MeshChecks(KubernetesClient client, DataPlanes dataPlanes) {
        this.client = client;
        this.dataPlanes = dataPlanes;
    }

    Findings of(FaultRequest request, Host host) {
        List<String> warnings = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        dataPlane(request.target(), host, warnings, refusals);
        httpRoutes(host, warnings, refusals);
        warnings.addAll(refusals);
        return new Findings(warnings, refusals);
    }

    private void dataPlane(Target target, Host host, List<String> warnings, List<String> refusals) {
        DataPlane plane = dataPlanes.of(host.namespace(), host.name());
        if (!plane.ambient()) {
            return;
        }
        if (plane.waypoint() == null) {
            refusals.add("Service " + host.name() + " in namespace " + host.namespace() + " is in Istio's ambient mode without a "
                    + "waypoint: " + plane.missing() + ". ztunnel handles only L4: a VirtualService fault takes effect only "
                    + "in a waypoint proxy, so the run would fault nothing");
            return;
        }
        warnings.add("Service " + host.name() + " in namespace " + host.namespace() + " is in Istio's ambient mode: the fault is "
                + "applied at waypoint " + plane.waypoint() + " for every caller of " + host.name() + ", not by the callers' sidecars");
        Target.Match match = target.match();
        if (match != null && match.bySource()) {
            List<String> fields = new ArrayList<>();
            if (!match.sourceLabels().isEmpty()) {
                fields.add("spec.target.match.sourceLabels");
            }
            if (match.sourceNamespace() != null) {
                fields.add("spec.target.match.sourceNamespace");
            }
            refusals.add(String.join(" and ", fields) + " would limit the fault to some callers, but " + host.name()
                    + " is reached through waypoint " + plane.waypoint() + " and Istio ignores source matches in a waypoint "
                    + "(istio/api#3517), so the fault would reach every caller; remove " + (fields.size() > 1 ? "them" : "it")
                    + " to fault every caller of " + host.name());
        }
    }

    private void httpRoutes(Host host, List<String> warnings, List<String> refusals) {
        for (JsonNode route : listHttpRoutes(host, warnings)) {
            String namespace = route.path("metadata").path("namespace").asText(host.namespace());
            List<String> why = new ArrayList<>();
            JsonNode parents = route.path("spec").path("parentRefs");
            for (int i = 0; i < parents.size(); i++) {
                JsonNode parent = parents.get(i);
                String group = parent.path("group").asText(null);
                String parentNamespace = parent.path("namespace").asText(namespace);
                if ("Service".equals(parent.path("kind").asText()) && ("".equals(group) || "core".equals(group))
                        && host.name().equals(parent.path("name").asText()) && host.namespace().equals(parentNamespace)) {
                    why.add("spec.parentRefs[" + i + "] is Service " + parentNamespace + "/" + host.name());
                }
            }
            for (JsonNode hostname : route.path("spec").path("hostnames")) {
                if (matches(hostname.asText(), host, namespace)) {
                    why.add("spec.hostnames has " + hostname.asText());
                }
            }
            if (!why.isEmpty()) {
                refusals.add("Istio routes " + host.fqdn() + " with HTTPRoute " + namespace + "/" + route.path("metadata").path("name")
                        .asText() + " (Gateway API; its " + String.join(", ", why) + "); a VirtualService for the same host is "
                        + "undefined behaviour, and HTTPRoute has no fault filter in Istio, so Faultline does not fault it");
            }
        }
    }

    /**
     * The HTTPRoutes of every namespace, as a consumer route for the service lives in its callers' namespace; only
     * those of the service's namespace, with a warning, where Faultline may not list them all. None where the Gateway
     * API is not installed (the API answers 404).
     */
    private List<JsonNode> listHttpRoutes(Host host, List<String> warnings) {
        try {
            return toJson(client.genericKubernetesResources(HTTP_ROUTES).inAnyNamespace().list().getItems());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return List.of();
            }
            if (e.getCode() != 403) {
                throw unavailable("list HTTPRoutes in every namespace", e);
            }
        }
        warnings.add("Faultline may not list HTTPRoutes in every namespace (the Kubernetes API answered 403), so it checked only "
                + "namespace " + host.namespace() + ": an HTTPRoute in another namespace that routes " + host.fqdn()
                + " (a consumer route in a caller's namespace) could not be checked; checking them needs list on httproutes "
                + "(gateway.networking.k8s.io) in every namespace");
        try {
            return toJson(client.genericKubernetesResources(HTTP_ROUTES).inNamespace(host.namespace()).list().getItems());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return List.of();
            }
            throw unavailable("list HTTPRoutes in " + host.namespace(), e);
        }
    }

    private List<JsonNode> toJson(List<?> resources) {
        return resources.stream().map(resource -> client.getKubernetesSerialization().convertValue(resource, JsonNode.class)).toList();
    }

    /**
     * Whether HTTPRoute hostname {@code hostname}, written in {@code routeNamespace}, names the service: a name as
     * a VirtualService host would (short, {@code name.ns}, {@code name.ns.svc}, the FQDN), or a wildcard
     * ({@code *.ns.svc.cluster.local}) whose suffix one of those ends with.
     */
    static boolean matches(String hostname, Host host, String routeNamespace) {
        if (hostname.startsWith("*.")) {
            String suffix = hostname.substring(1);
            String name = host.name() + "." + host.namespace();
            return List.of(name, name + ".svc", host.fqdn()).stream().anyMatch(form -> form.endsWith(suffix));
        }
        return host.is(hostname, routeNamespace);
    }

    private static MeshException unavailable(String what, KubernetesClientException e) {
        return new MeshException(Reason.UNAVAILABLE, "could not " + what + " (to find Gateway API routes for the target): "
                + IstioFaultInjector.describe(e) + (e.getCode() == 403 ? "; Faultline needs list on httproutes "
                        + "(gateway.networking.k8s.io) there (see deploy/rbac.yaml)" : ""), e);
    }
}

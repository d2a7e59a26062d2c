package dev.faultline.mesh.istio;

import java.util.Map;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.mesh.DataPlane;
import dev.faultline.mesh.DataPlanes;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.MeshException.Reason;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * A service's data plane read the way Istio decides it, from labels: the namespace's (or the service's own)
 * {@code istio.io/dataplane-mode} says whether ztunnel carries its traffic (ambient mode), and
 * {@code istio.io/use-waypoint} on the service, else on its namespace, names the waypoint Gateway that handles
 * its L7 traffic. Faultline needs to know because in ambient mode a VirtualService fault takes effect only in
 * a waypoint: without one the rule would be written and nothing faulted. A waypoint counts only when the
 * Gateway exists, is of class {@code istio-waypoint} and takes traffic addressed to services; otherwise
 * {@link DataPlane#missing()} says which of these is wrong and how to put it right.
 */
@ApplicationScoped
public class IstioDataPlanes implements DataPlanes {

    static final String DATAPLANE_MODE = "istio.io/dataplane-mode";
    static final String USE_WAYPOINT = "istio.io/use-waypoint";
    static final String USE_WAYPOINT_NAMESPACE = "istio.io/use-waypoint-namespace";
    static final String WAYPOINT_FOR = "istio.io/waypoint-for";
    static final String WAYPOINT_CLASS = "istio-waypoint";
    static final ResourceDefinitionContext GATEWAYS = new ResourceDefinitionContext.Builder()
            .withGroup("gateway.networking.k8s.io").withVersion("v1").withKind("Gateway").withPlural("gateways")
            .withNamespaced(true).build();

    private final KubernetesClient client;

    IstioDataPlanes(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public DataPlane of(String namespace, String service) {
        Namespace ns = read("read Namespace " + namespace + " (its labels tell sidecar from ambient mode)",
                "get on namespaces in namespace " + namespace, () -> client.namespaces().withName(namespace).get());
        Service svc = read("read Service " + namespace + "/" + service, "get on services in namespace " + namespace,
                () -> client.services().inNamespace(namespace).withName(service).get());
        if (svc == null) {
            throw new MeshException(Reason.TARGET_UNRESOLVED, "there is no Service " + service + " in namespace " + namespace
                    + " (spec.target.service)");
        }
        return of(namespace, service, labels(ns), labels(svc));
    }

    /** The data plane of a service whose Namespace's and own labels are already read (the posture lists them). */
    DataPlane of(String namespace, String service, Map<String, String> namespaceLabels, Map<String, String> serviceLabels) {
        if (!ambient(namespaceLabels, serviceLabels)) {
            return DataPlane.SIDECAR;
        }
        Enrolment enrolment = serviceLabels.containsKey(USE_WAYPOINT) ? new Enrolment(true, serviceLabels, namespace, service)
                : namespaceLabels.containsKey(USE_WAYPOINT) ? new Enrolment(false, namespaceLabels, namespace, service) : null;
        if (enrolment == null) {
            return missing("neither Service " + namespace + "/" + service + " nor Namespace " + namespace + " has the label "
                    + USE_WAYPOINT + ", so no waypoint handles its traffic; add one with `istioctl waypoint apply -n " + namespace
                    + " --enroll-namespace`, or label the service `" + USE_WAYPOINT + "=<waypoint>`");
        }
        if (enrolment.waypoint().isBlank()) {
            return missing(enrolment.where() + " has an empty " + USE_WAYPOINT + " label, which names no waypoint; set it to a "
                    + "waypoint's name, adding one first with `istioctl waypoint apply -n " + namespace + " --name <waypoint>`");
        }
        if (enrolment.waypoint().equals("none")) {
            return missing(optedOut(enrolment, namespace, service, namespaceLabels.get(USE_WAYPOINT)));
        }
        String waypoint = enrolment.waypointNamespace() + "/" + enrolment.waypoint();
        String named = "label " + USE_WAYPOINT + "=" + enrolment.waypoint() + " on " + enrolment.where();
        GenericKubernetesResource gateway = read("read Gateway " + waypoint + " (the waypoint named by " + named + ")",
                "get on gateways (gateway.networking.k8s.io) in namespace " + enrolment.waypointNamespace(),
                () -> client.genericKubernetesResources(GATEWAYS).inNamespace(enrolment.waypointNamespace())
                        .withName(enrolment.waypoint()).get());
        if (gateway == null) {
            return missing(named + " names waypoint " + waypoint + ", but there is no Gateway " + waypoint + "; add it with `istioctl "
                    + "waypoint apply -n " + enrolment.waypointNamespace() + " --name " + enrolment.waypoint() + "`");
        }
        Object gatewayClass = gateway.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec ? spec.get("gatewayClassName") : null;
        if (!WAYPOINT_CLASS.equals(gatewayClass)) {
            return missing("Gateway " + waypoint + " (named by " + named + ") has "
                    + (gatewayClass == null ? "no spec.gatewayClassName" : "class " + gatewayClass) + ", not " + WAYPOINT_CLASS
                    + ", so it is not a waypoint; add one with `istioctl waypoint apply -n " + enrolment.waypointNamespace()
                    + " --name <waypoint>` and set " + USE_WAYPOINT + " on " + enrolment.where() + " to its name");
        }
        String waypointFor = labels(gateway).getOrDefault(WAYPOINT_FOR, "service");
        if (waypointFor.equals("workload") || waypointFor.equals("none")) {
            return missing("waypoint " + waypoint + " (named by " + named + ") has " + WAYPOINT_FOR + "=" + waypointFor + ": it takes "
                    + (waypointFor.equals("none") ? "no traffic at all" : "only traffic addressed to workloads")
                    + ", not the traffic addressed to Service " + namespace + "/" + service + "; label it `" + WAYPOINT_FOR
                    + "=service` (`kubectl label gateway -n " + enrolment.waypointNamespace() + " " + enrolment.waypoint() + " "
                    + WAYPOINT_FOR + "=service --overwrite`) or name another waypoint");
        }
        return new DataPlane(DataPlane.Mode.AMBIENT, waypoint, null);
    }

    /** What {@code istio.io/use-waypoint=none} means where it is, and how to enrol the service instead. */
    private static String optedOut(Enrolment enrolment, String namespace, String service, String namespaceWaypoint) {
        String labelService = "`kubectl label service -n " + namespace + " " + service + " " + USE_WAYPOINT;
        if (!enrolment.onService()) {
            return "Namespace " + namespace + " has " + USE_WAYPOINT + "=none, so no waypoint handles its traffic; label the service "
                    + labelService + "=<waypoint>`, or the namespace `kubectl label namespace " + namespace + " " + USE_WAYPOINT
                    + "=<waypoint> --overwrite` (add a waypoint first with `istioctl waypoint apply -n " + namespace
                    + " --name <waypoint>` if there is none)";
        }
        if (namespaceWaypoint != null && !namespaceWaypoint.equals("none")) {
            return enrolment.where() + " has " + USE_WAYPOINT + "=none, which opts it out of its namespace's waypoint "
                    + namespaceWaypoint + ", so no waypoint handles its traffic; remove that label (" + labelService
                    + "-`) to use the namespace's waypoint, or set it to another waypoint's name";
        }
        return enrolment.where() + " has " + USE_WAYPOINT + "=none, so no waypoint handles its traffic; set it to a waypoint's name ("
                + labelService + "=<waypoint> --overwrite`), adding one first with `istioctl waypoint apply -n " + namespace
                + " --name <waypoint>` if there is none";
    }

    /** Ambient when the service says so, or its namespace does and the service does not say {@code none}. */
    private static boolean ambient(Map<String, String> namespaceLabels, Map<String, String> serviceLabels) {
        String own = serviceLabels.get(DATAPLANE_MODE);
        if ("ambient".equals(own) || "none".equals(own)) {
            return "ambient".equals(own);
        }
        return "ambient".equals(namespaceLabels.get(DATAPLANE_MODE));
    }

    private static DataPlane missing(String what) {
        return new DataPlane(DataPlane.Mode.AMBIENT, null, what);
    }

    static Map<String, String> labels(HasMetadata resource) {
        return resource == null || resource.getMetadata() == null || resource.getMetadata().getLabels() == null ? Map.of()
                : resource.getMetadata().getLabels();
    }

    /** A read that fails as {@link Reason#UNAVAILABLE}, naming the permission when the API answers 403. */
    private static <T> T read(String what, String permission, Supplier<T> read) {
        try {
            return read.get();
        } catch (KubernetesClientException e) {
            throw new MeshException(Reason.UNAVAILABLE, "could not " + what + ": " + IstioFaultInjector.describe(e)
                    + (e.getCode() == 403 ? "; Faultline needs " + permission + " (see deploy/rbac.yaml)" : ""), e);
        }
    }

    /**
     * The object that enrols the service in a waypoint: the waypoint's name from its {@code istio.io/use-waypoint}
     * label, and the waypoint's namespace from its {@code istio.io/use-waypoint-namespace}, else the service's.
     */
    private record Enrolment(boolean onService, String where, String waypoint, String waypointNamespace) {

        Enrolment(boolean onService, Map<String, String> labels, String namespace, String service) {
            this(onService, onService ? "Service " + namespace + "/" + service : "Namespace " + namespace, labels.get(USE_WAYPOINT),
                    labels.getOrDefault(USE_WAYPOINT_NAMESPACE, "").isBlank() ? namespace : labels.get(USE_WAYPOINT_NAMESPACE));
        }
    }
}

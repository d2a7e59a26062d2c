package dev.faultline.testing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * Namespaces and Services labelled for Istio's ambient mode, waypoint Gateways and HTTPRoutes, written
 * into a (mock) cluster the way {@code kubectl label} and {@code istioctl waypoint apply} would leave them.
 * The resource kinds are spelt out here rather than taken from the code under test, so that a wrong plural
 * there does not pass unnoticed.
 */
public final class GatewayApiFixtures {

    public static final ResourceDefinitionContext GATEWAYS = new ResourceDefinitionContext.Builder()
            .withGroup("gateway.networking.k8s.io").withVersion("v1").withKind("Gateway").withPlural("gateways")
            .withNamespaced(true).build();
    public static final ResourceDefinitionContext HTTP_ROUTES = new ResourceDefinitionContext.Builder()
            .withGroup("gateway.networking.k8s.io").withVersion("v1").withKind("HTTPRoute").withPlural("httproutes")
            .withNamespaced(true).build();

    private GatewayApiFixtures() {
    }

    /** Creates Namespace {@code name} with {@code labels}, or gives the one there these labels in addition. */
    public static void labelNamespace(KubernetesClient client, String name, Map<String, String> labels) {
        if (client.namespaces().withName(name).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                    .build()).create();
        } else {
            client.namespaces().withName(name).edit(ns -> new NamespaceBuilder(ns).editMetadata().addToLabels(labels).endMetadata()
                    .build());
        }
    }

    /** Takes {@code keys} off Namespace {@code name}'s labels. */
    public static void unlabelNamespace(KubernetesClient client, String name, String... keys) {
        client.namespaces().withName(name).edit(ns -> {
            NamespaceBuilder builder = new NamespaceBuilder(ns);
            for (String key : keys) {
                builder.editMetadata().removeFromLabels(key).endMetadata();
            }
            return builder.build();
        });
    }

    /** Gives Service {@code namespace/name} these labels in addition to its own. */
    public static void labelService(KubernetesClient client, String namespace, String name, Map<String, String> labels) {
        client.services().inNamespace(namespace).withName(name)
                .edit(service -> new ServiceBuilder(service).editMetadata().addToLabels(labels).endMetadata().build());
    }

    /** A Gateway of class {@code gatewayClass} with an HBONE listener, as {@code istioctl waypoint apply} writes one. */
    public static void gateway(KubernetesClient client, String namespace, String name, String gatewayClass, Map<String, String> labels) {
        Map<String, Object> listener = new LinkedHashMap<>();
        listener.put("name", "mesh");
        listener.put("port", 15008);
        listener.put("protocol", "HBONE");
        GenericKubernetesResource gateway = new GenericKubernetesResourceBuilder().withApiVersion("gateway.networking.k8s.io/v1")
                .withKind("Gateway").withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .addToAdditionalProperties("spec", Map.of("gatewayClassName", gatewayClass, "listeners", List.of(listener)))
                .build();
        client.genericKubernetesResources(GATEWAYS).inNamespace(namespace).resource(gateway).create();
    }

    /** A waypoint: a Gateway of class {@code istio-waypoint}. */
    public static void waypoint(KubernetesClient client, String namespace, String name, Map<String, String> labels) {
        gateway(client, namespace, name, "istio-waypoint", labels);
    }

    /**
     * An HTTPRoute in {@code namespace} with these {@code parentRefs} (each a map of {@code group}, {@code kind},
     * {@code namespace}, {@code name}) and {@code hostnames}, routing to {@code backend} on port 9080.
     */
    public static void httpRoute(KubernetesClient client, String namespace, String name, List<Map<String, String>> parentRefs,
            List<String> hostnames, String backend) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("parentRefs", parentRefs);
        if (!hostnames.isEmpty()) {
            spec.put("hostnames", hostnames);
        }
        spec.put("rules", List.of(Map.of("backendRefs", List.of(Map.of("name", backend, "port", 9080)))));
        GenericKubernetesResource route = new GenericKubernetesResourceBuilder().withApiVersion("gateway.networking.k8s.io/v1")
                .withKind("HTTPRoute").withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .addToAdditionalProperties("spec", spec).build();
        client.genericKubernetesResources(HTTP_ROUTES).inNamespace(namespace).resource(route).create();
    }

    /** A GAMMA parent: the Service {@code namespace/name} ({@code namespace} null for the route's own). */
    public static Map<String, String> serviceParent(String namespace, String name) {
        Map<String, String> parent = new LinkedHashMap<>();
        parent.put("group", "");
        parent.put("kind", "Service");
        if (namespace != null) {
            parent.put("namespace", namespace);
        }
        parent.put("name", name);
        return parent;
    }

    /** An ingress parent: the Gateway {@code name} of the route's namespace. */
    public static Map<String, String> gatewayParent(String name) {
        return Map.of("name", name);
    }

    /** Deletes every HTTPRoute of {@code namespace}, so that other tests on the same mock cluster do not meet them. */
    public static void deleteHttpRoutes(KubernetesClient client, String namespace) {
        client.genericKubernetesResources(HTTP_ROUTES).inNamespace(namespace).delete();
    }
}

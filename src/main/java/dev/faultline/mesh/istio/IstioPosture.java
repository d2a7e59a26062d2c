package dev.faultline.mesh.istio;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.mesh.DataPlane;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.MeshException.Reason;
import dev.faultline.mesh.Posture;
import dev.faultline.mesh.PostureReader;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * The posture read from the cluster: the namespace's Services, VirtualServices, DestinationRules and
 * PeerAuthentications, and the root namespace's PeerAuthentications (five list calls), and each
 * service's data plane from its and its Namespace's labels (one more read; in ambient mode also its
 * waypoint Gateway). Mesh-wide
 * PeerAuthentications that Faultline may not read (403) leave the mesh's mode UNSET, saying so.
 */
@ApplicationScoped
class IstioPosture implements PostureReader {

    static final ResourceDefinitionContext DESTINATION_RULES = new ResourceDefinitionContext.Builder()
            .withGroup("networking.istio.io").withVersion("v1").withKind("DestinationRule").withPlural("destinationrules")
            .withNamespaced(true).build();
    static final ResourceDefinitionContext PEER_AUTHENTICATIONS = new ResourceDefinitionContext.Builder()
            .withGroup("security.istio.io").withVersion("v1").withKind("PeerAuthentication").withPlural("peerauthentications")
            .withNamespaced(true).build();

    private final KubernetesClient client;
    private final IstioDataPlanes dataPlanes;
    private final String rootNamespace;

    /** @param rootNamespace Istio's root namespace, where a PeerAuthentication without a selector sets mTLS for the whole mesh */
    IstioPosture(KubernetesClient client, IstioDataPlanes dataPlanes,
            @ConfigProperty(name = "faultline.mesh.root-namespace", defaultValue = "istio-system") String rootNamespace) {
        this.client = client;
        this.dataPlanes = dataPlanes;
        this.rootNamespace = rootNamespace;
    }

    @Override
    public Posture read(String namespace) {
        List<Service> found = call("list Services in " + namespace,
                () -> client.services().inNamespace(namespace).list().getItems());
        List<JsonNode> services = found.stream().map(this::toJson).toList();
        List<JsonNode> virtualServices = list("list VirtualServices in " + namespace,
                () -> client.genericKubernetesResources(IstioFaultInjector.VIRTUAL_SERVICES).inNamespace(namespace).list().getItems());
        List<JsonNode> destinationRules = list("list DestinationRules in " + namespace,
                () -> client.genericKubernetesResources(DESTINATION_RULES).inNamespace(namespace).list().getItems());
        List<JsonNode> peerAuthentications = list("list PeerAuthentications in " + namespace,
                () -> client.genericKubernetesResources(PEER_AUTHENTICATIONS).inNamespace(namespace).list().getItems());
        String root = rootNamespace;
        List<JsonNode> meshWide;
        String meshUnreadable = null;
        if (root.equals(namespace)) {
            meshWide = peerAuthentications;
        } else {
            try {
                meshWide = list("list PeerAuthentications in " + root,
                        () -> client.genericKubernetesResources(PEER_AUTHENTICATIONS).inNamespace(root).list().getItems());
            } catch (MeshException e) {
                if (!(e.getCause() instanceof KubernetesClientException k) || k.getCode() != 403) {
                    throw e;
                }
                meshWide = List.of();
                meshUnreadable = "Faultline may not read the mesh-wide PeerAuthentications in " + root + " (403)";
            }
        }
        Map<String, DataPlane> planes = new HashMap<>();
        if (!found.isEmpty()) {
            Map<String, String> namespaceLabels = IstioDataPlanes.labels(call("read Namespace " + namespace,
                    () -> client.namespaces().withName(namespace).get()));
            found.forEach(service -> planes.put(service.getMetadata().getName(),
                    dataPlanes.of(namespace, service.getMetadata().getName(), namespaceLabels, IstioDataPlanes.labels(service))));
        }
        return PostureAnalysis.of(namespace, root, meshUnreadable, planes, services, virtualServices, destinationRules,
                peerAuthentications, meshWide);
    }

    private List<JsonNode> list(String what, Supplier<List<? extends HasMetadata>> list) {
        return call(what, list).stream().map(this::toJson).toList();
    }

    private JsonNode toJson(HasMetadata resource) {
        return client.getKubernetesSerialization().convertValue(resource, JsonNode.class);
    }

    private static <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            throw new MeshException(Reason.UNAVAILABLE, "could not " + what + ": " + IstioFaultInjector.describe(e), e);
        }
    }
}

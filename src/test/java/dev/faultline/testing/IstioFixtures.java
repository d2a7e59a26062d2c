package dev.faultline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * Istio's Bookinfo samples and CRDs, copied unchanged from the shared fixtures into
 * {@code src/test/resources/istio} (sources and licence in {@code SOURCES.md} there), loaded into a
 * (mock) cluster.
 */
public final class IstioFixtures {

    public static final Path FOLDER = Path.of("src", "test", "resources", "istio");
    public static final List<String> SERVICES = List.of("productpage", "reviews", "ratings", "details");
    public static final ResourceDefinitionContext VIRTUAL_SERVICES = new ResourceDefinitionContext.Builder()
            .withGroup("networking.istio.io").withVersion("v1").withKind("VirtualService").withPlural("virtualservices")
            .withNamespaced(true).build();
    public static final ResourceDefinitionContext DESTINATION_RULES = new ResourceDefinitionContext.Builder()
            .withGroup("networking.istio.io").withVersion("v1").withKind("DestinationRule").withPlural("destinationrules")
            .withNamespaced(true).build();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private IstioFixtures() {
    }

    /** The documents of one sample file ({@code virtual-service-all-v1} for {@code bookinfo-virtual-service-all-v1.yaml}). */
    public static List<ObjectNode> documents(String sample) {
        List<ObjectNode> documents = new ArrayList<>();
        try (var values = YAML.readerFor(JsonNode.class).readValues(FOLDER.resolve("bookinfo-" + sample + ".yaml").toFile())) {
            while (values.hasNextValue()) {
                JsonNode document = (JsonNode) values.nextValue();
                if (document instanceof ObjectNode object && !object.isEmpty()) {
                    documents.add(object);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return documents;
    }

    /** A YAML (or JSON) text as JSON, for resources and parts of them written inline in a test. */
    public static JsonNode yaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T yamlAs(String text, Class<T> type) {
        return YAML.convertValue(yaml(text), type);
    }

    /** As {@link #seed}, unless the namespace already holds Bookinfo (its Service reviews): test classes share one mock server. */
    public static void seedOnce(KubernetesClient client, String namespace, String... samples) {
        if (client.services().inNamespace(namespace).withName("reviews").get() == null) {
            seed(client, namespace, samples);
        }
    }

    /**
     * Bookinfo's four Services and its DestinationRules in {@code namespace}, and the VirtualServices of
     * the given samples (a later one replaces an earlier one of the same name).
     */
    public static void seed(KubernetesClient client, String namespace, String... samples) {
        for (String service : SERVICES) {
            client.services().inNamespace(namespace).resource(new ServiceBuilder().withNewMetadata().withName(service)
                    .withNamespace(namespace).endMetadata().withNewSpec().addNewPort().withName("http").withPort(9080).endPort()
                    .addToSelector("app", service).endSpec().build()).create();
        }
        for (ObjectNode rule : documents("destination-rule-all")) {
            ((ObjectNode) rule.get("metadata")).put("namespace", namespace);
            client.genericKubernetesResources(DESTINATION_RULES).inNamespace(namespace)
                    .resource(client.getKubernetesSerialization().convertValue(rule, GenericKubernetesResource.class)).create();
        }
        for (String sample : samples) {
            route(client, namespace, sample);
        }
    }

    /** The VirtualServices of {@code sample} in {@code namespace}, each replacing the one of its name (a test changing how Bookinfo routes). */
    public static void route(KubernetesClient client, String namespace, String sample) {
        for (ObjectNode document : documents(sample)) {
            ((ObjectNode) document.get("metadata")).put("namespace", namespace);
            client.genericKubernetesResources(VIRTUAL_SERVICES).inNamespace(namespace)
                    .withName(document.path("metadata").path("name").asText()).delete();
            client.genericKubernetesResources(VIRTUAL_SERVICES).inNamespace(namespace)
                    .resource(client.getKubernetesSerialization().convertValue(document, GenericKubernetesResource.class))
                    .create();
        }
    }

    /** Every DestinationRule in {@code namespace}, to show that Faultline leaves them alone. */
    public static List<GenericKubernetesResource> destinationRules(KubernetesClient client, String namespace) {
        return client.genericKubernetesResources(DESTINATION_RULES).inNamespace(namespace).list().getItems();
    }

    public static List<JsonNode> virtualServices(KubernetesClient client, String namespace) {
        return client.genericKubernetesResources(VIRTUAL_SERVICES).inNamespace(namespace).list().getItems().stream()
                .map(resource -> client.getKubernetesSerialization().convertValue(resource, JsonNode.class)).toList();
    }

    public static JsonNode virtualService(KubernetesClient client, String namespace, String name) {
        GenericKubernetesResource resource = client.genericKubernetesResources(VIRTUAL_SERVICES).inNamespace(namespace)
                .withName(name).get();
        return resource == null ? null : client.getKubernetesSerialization().convertValue(resource, JsonNode.class);
    }
}

package dev.faultline.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.faultline.FieldError;

/**
 * The Chaos Toolkit experiments of {@code src/test/resources/chaostoolkit/} (published ones, see
 * SOURCES.md there): each imports with the mapping asserted field by field and everything that
 * does not map listed by path; exporting an import and importing the export gives the same document.
 */
class ChaosToolkitFixturesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ChaosToolkitImporter IMPORTER = new ChaosToolkitImporter(name -> Optional.empty());
    private static final ChaosToolkitExporter EXPORTER = new ChaosToolkitExporter("http://prometheus.monitoring:9090");

    static JsonNode fixture(String file) {
        try (InputStream in = ChaosToolkitFixturesTest.class.getResourceAsStream("/chaostoolkit/" + file)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ChaosToolkitImporter.Result imported(String file) {
        return IMPORTER.read(fixture(file), Map.of(), Optional.empty());
    }

    private static List<String> unmappedPaths(ChaosToolkitImporter.Result result) {
        return result.unmapped().stream().map(Unmapped::path).toList();
    }

    @Test
    void theIstioReadmeExampleBecomesADelayOnReviewsV2HeldForItsPause() {
        ChaosToolkitImporter.Result result = imported("chaostoolkit-istio-readme-example.json");
        JsonNode doc = result.experiment();

        assertThat(result.errors()).as("a complete experiment, ready to store").isEmpty();
        assertThat(doc.path("metadata").path("name").asText()).isEqualTo("network-latency-does-not-impact-our-users");
        assertThat(doc.path("metadata").path("description").asText()).isEqualTo("Network latency does not impact our users\n\n"
                + "Using Istio fault injection capability, let's explore how latency impacts a single user");
        assertThat(doc.path("metadata").has("tags")).isFalse();
        JsonNode spec = doc.path("spec");
        assertThat(spec.path("target").path("namespace").asText()).as("chaosistio's default namespace").isEqualTo("default");
        assertThat(spec.path("target").path("service").asText()).isEqualTo("reviews");
        assertThat(spec.path("target").path("subset").asText()).isEqualTo("v2");
        assertThat(spec.path("faults")).hasSize(1);
        assertThat(spec.path("faults").path(0).path("delay").path("fixedDelay").asText()).isEqualTo("5s");
        assertThat(spec.path("faults").path(0).path("delay").path("percentage").asDouble()).as("{value: 100.0}").isEqualTo(100.0);
        assertThat(spec.path("duration").asText()).as("the action's pause after").isEqualTo("2s");
        assertThat(spec.has("steadyState")).isFalse();
        assertThat(spec.has("guardrails")).isFalse();

        assertThat(unmappedPaths(result)).containsExactly("steady-state-hypothesis.title", "steady-state-hypothesis.probes[0]",
                "steady-state-hypothesis.probes[1]", "configuration.product_page_url", "secrets.istio.KUBERNETES_CONTEXT");
        assertThat(result.unmapped().get(1).reason()).contains("runs the program curl");
        assertThat(result.unmapped()).as("the rollback removes the imported fault: Faultline does that itself")
                .noneMatch(u -> u.path().startsWith("rollbacks"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "chaosiq-demos-lab4-experiment.json", "chaosiq-demos-lab5-experiment.json" })
    void theChaosiqLabsKeepTheirHttpProbeAndListTheKubernetesAndProcessActions(String file) {
        ChaosToolkitImporter.Result result = imported(file);
        JsonNode doc = result.experiment();

        assertThat(doc.path("metadata").path("name").asText()).isEqualTo("losing-the-ability-to-talk-to-the-internal-services-should-be");
        assertThat(doc.path("metadata").path("description").asText()).startsWith(
                "Losing the ability to talk to the internal services should be adjusted for\n\nIn case we lose connection");
        JsonNode probes = doc.path("spec").path("steadyState").path("probes");
        assertThat(probes).hasSize(1);
        assertThat(probes.path(0).path("name").asText()).isEqualTo("front-service-must-be-ok");
        assertThat(probes.path(0).path("http").path("url").asText()).as("${front_url}: FRONT_URL is not readable, so its default")
                .isEqualTo("http://localhost:30080/");
        assertThat(probes.path(0).path("http").path("expectStatus").asInt()).isEqualTo(200);
        assertThat(probes.path(0).path("http").has("method")).isFalse();
        assertThat(doc.path("spec").has("faults")).isFalse();
        assertThat(doc.path("spec").has("guardrails")).as("lab5's safeguard calls a local Python module").isFalse();

        assertThat(result.errors()).extracting(FieldError::path).as("what a user must add: no Istio fault in the original")
                .containsExactly("spec.target", "spec.faults", "spec.duration");
        List<String> expected = new java.util.ArrayList<>(List.of("version", "steady-state-hypothesis.title",
                "steady-state-hypothesis.probes[1].tolerance", "method[0]", "method[1]", "method[2]", "method[3]", "rollbacks[0]"));
        if (file.contains("lab5")) {
            expected.add("controls[0].provider.arguments.probes[0]");
        }
        expected.add("configuration.prometheus_base_url");
        assertThat(unmappedPaths(result)).containsExactlyElementsOf(expected);
        assertThat(reason(result, "steady-state-hypothesis.probes[1].tolerance")).contains("tolerances.error_count_should_not_grow");
        assertThat(reason(result, "method[1]")).contains("chaosk8s.networking.actions.deny_all_ingress");
        assertThat(reason(result, "method[0]")).contains("vegeta");
    }

    @Test
    void theNodeDrainChapterKeepsItsTagsAndHttpProbeWithItsTimeout() {
        ChaosToolkitImporter.Result result = imported("community-playground-chapter6-experiment.json");
        JsonNode doc = result.experiment();

        assertThat(doc.path("metadata").path("name").asText()).isEqualTo("my-application-is-resilient-to-admin-instigated-node-drainage");
        assertThat(doc.path("metadata").path("tags")).extracting(JsonNode::asText).containsExactly("service", "kubernetes");
        JsonNode probe = doc.path("spec").path("steadyState").path("probes").path(0);
        assertThat(probe.path("name").asText()).isEqualTo("application-must-respond-normally");
        assertThat(probe.path("http").path("url").asText()).as("the original's typo, kept").isEqualTo("http://http://35.189.85.252/");
        assertThat(probe.path("http").path("timeout").asText()).isEqualTo("3s");
        assertThat(probe.path("http").path("expectStatus").asInt()).isEqualTo(200);
        assertThat(doc.path("spec").path("steadyState").path("probes")).hasSize(1);
        assertThat(result.errors()).extracting(FieldError::path).containsExactly("spec.target", "spec.faults", "spec.duration");
        assertThat(unmappedPaths(result)).containsExactly("version", "steady-state-hypothesis.title", "steady-state-hypothesis.probes[1]",
                "method[0]", "rollbacks[0]");
        assertThat(reason(result, "steady-state-hypothesis.probes[1]")).contains("chaosk8s.pod.probes.pods_in_phase");
        assertThat(reason(result, "method[0]")).contains("chaosk8s.node.actions.drain_nodes");
    }

    @ParameterizedTest
    @ValueSource(strings = { "chaostoolkit-istio-readme-example.json", "chaosiq-demos-lab4-experiment.json",
            "chaosiq-demos-lab5-experiment.json", "community-playground-chapter6-experiment.json" })
    void exportingAnImportAndImportingItAgainGivesTheSameDocument(String file) {
        ChaosToolkitImporter.Result first = imported(file);
        ChaosToolkitExporter.Result exported = EXPORTER.write(first.experiment());
        ChaosToolkitImporter.Result second = IMPORTER.read(exported.experiment(), Map.of(), Optional.empty());

        assertThat(second.experiment()).isEqualTo(first.experiment());
        assertThat(second.errors()).isEqualTo(first.errors());
        assertThat(exported.unmapped()).as("an import holds nothing Chaos Toolkit cannot say").isEmpty();
        ChaosToolkitSchema.assertValid(exported.experiment());
    }

    private static String reason(ChaosToolkitImporter.Result result, String path) {
        return result.unmapped().stream().filter(u -> u.path().equals(path)).findFirst().orElseThrow().reason();
    }
}

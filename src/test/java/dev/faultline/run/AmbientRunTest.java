package dev.faultline.run;

import static dev.faultline.testing.TestApi.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.testing.GatewayApiFixtures;
import dev.faultline.testing.IstioFixtures;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestExperiments;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.path.json.JsonPath;

/**
 * Runs on Bookinfo in Istio's ambient mode, through the REST API: without a waypoint the run ends in its
 * precheck, cancelled with the reason, and nothing is written; with one it runs as in sidecar mode.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(AmbientRunTest.Bookinfo.class)
class AmbientRunTest {

    public static class Bookinfo implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("faultline.policy.allowed-namespaces", "bookinfo",
                    "faultline.run.settle-time", "PT0S");
        }
    }

    private static final AtomicInteger EXPERIMENTS = new AtomicInteger();

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    TestDatabase database;

    @BeforeAll
    static void yaml() {
        TestApi.sendYamlAsText();
    }

    @BeforeEach
    void seed() {
        database.clear();
        IstioFixtures.seedOnce(server.getClient(), "bookinfo", "virtual-service-all-v1");
        GatewayApiFixtures.labelNamespace(server.getClient(), "bookinfo", Map.of("istio.io/dataplane-mode", "ambient"));
    }

    @AfterEach
    void sidecarModeAgain() {
        GatewayApiFixtures.unlabelNamespace(server.getClient(), "bookinfo", "istio.io/dataplane-mode", "istio.io/use-waypoint");
    }

    private static String experiment() {
        String name = "ambient-" + EXPERIMENTS.incrementAndGet();
        asAdmin().contentType(TestApi.YAML).body(TestExperiments.aborting("reviews").named(name).lasting("2s").yaml())
                .post("/api/v1/experiments").then().statusCode(201);
        return name;
    }

    private static JsonPath startAndWait(String experiment) {
        return JsonPath.from(asAdmin().post("/api/v1/experiments/" + experiment + "/runs?wait=true&timeout=30s").then()
                .statusCode(200).extract().asString());
    }

    private List<JsonNode> virtualServices() {
        return IstioFixtures.virtualServices(server.getClient(), "bookinfo");
    }

    @Test
    void withoutAWaypointTheRunIsCancelledInItsPrecheckAndNothingIsWritten() {
        List<JsonNode> before = virtualServices();
        String experiment = experiment();

        JsonPath preview = JsonPath.from(asAdmin().post("/api/v1/experiments/" + experiment + "/preview").then().statusCode(200)
                .extract().asString());
        List<String> refusals = preview.getList("refusals", String.class);
        assertThat(refusals).singleElement().asString().contains("without a waypoint");
        assertThat(preview.getList("warnings", String.class)).as("a refusal is a warning too").containsAll(refusals);

        JsonPath run = startAndWait(experiment);

        assertThat(run.getString("state")).isEqualTo("CANCELLED");
        assertThat(run.getString("reason"))
                .contains("Service reviews in namespace bookinfo is in Istio's ambient mode without a waypoint")
                .contains("neither Service bookinfo/reviews nor Namespace bookinfo has the label istio.io/use-waypoint")
                .contains("`istioctl waypoint apply -n bookinfo --enroll-namespace`")
                .contains("so the run would fault nothing");
        assertThat(run.getList("timeline.type")).contains("PRECHECK").doesNotContain("INJECTING", "RULE_APPLIED");
        assertThat(run.getList("rules")).isEmpty();
        assertThat(virtualServices()).isEqualTo(before);
    }

    @Test
    void withAWaypointTheRunFaultsThroughItAndLeavesTheVirtualServiceAsItWas() {
        if (server.getClient().genericKubernetesResources(GatewayApiFixtures.GATEWAYS).inNamespace("bookinfo").withName("waypoint")
                .get() == null) {
            GatewayApiFixtures.waypoint(server.getClient(), "bookinfo", "waypoint", Map.of());
        }
        GatewayApiFixtures.labelNamespace(server.getClient(), "bookinfo", Map.of("istio.io/use-waypoint", "waypoint"));
        JsonNode reviews = IstioFixtures.virtualService(server.getClient(), "bookinfo", "reviews");

        JsonPath run = startAndWait(experiment());

        assertThat(run.getString("state")).as(run.getString("reason")).isEqualTo("COMPLETED");
        assertThat(run.getList("timeline.type")).containsSubsequence("PRECHECK", "INJECTING", "RULE_APPLIED", "RULE_REMOVED");
        assertThat(run.getString("rules[0].name")).isEqualTo("reviews");
        assertThat(run.getString("rules[0].removedAt")).isNotNull();
        assertThat(IstioFixtures.virtualService(server.getClient(), "bookinfo", "reviews").path("spec")).isEqualTo(reviews.path("spec"));
    }

    @Test
    void withAWaypointTheGoldenSignalsOfThePreviewReadTheWaypointsSeries() {
        if (server.getClient().genericKubernetesResources(GatewayApiFixtures.GATEWAYS).inNamespace("bookinfo").withName("waypoint")
                .get() == null) {
            GatewayApiFixtures.waypoint(server.getClient(), "bookinfo", "waypoint", Map.of());
        }
        GatewayApiFixtures.labelNamespace(server.getClient(), "bookinfo", Map.of("istio.io/use-waypoint", "waypoint"));
        String name = "ambient-signals-" + EXPERIMENTS.incrementAndGet();
        asAdmin().contentType(TestApi.YAML).body(TestExperiments.aborting("details").named(name).errorRateBelowOneFifth(true).yaml())
                .post("/api/v1/experiments").then().statusCode(201);

        JsonPath preview = JsonPath.from(asAdmin().post("/api/v1/experiments/" + name + "/preview").then().statusCode(200)
                .extract().asString());

        assertThat(preview.getString("queries[0].promql")).contains("istio_requests_total{reporter=\"waypoint\","
                + "destination_service_name=\"details\",destination_workload_namespace=\"bookinfo\"");
        assertThat(preview.getList("warnings", String.class)).anyMatch(w -> w.contains("for every caller of details"));
    }
}

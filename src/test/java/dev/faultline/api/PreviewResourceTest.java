package dev.faultline.api;

import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.faultline.security.Role;
import dev.faultline.testing.CrdSchema;
import dev.faultline.testing.Examples;
import dev.faultline.testing.IstioFixtures;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** The preview of every example experiment against Bookinfo in the mock cluster, through the REST API. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class PreviewResourceTest {

    private static final List<String> EXAMPLES = List.of("reviews-v2-latency", "ratings-abort-jason",
            "productpage-progressive-abort", "details-delay-http-check");

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;

    @BeforeAll
    static void yaml() {
        TestApi.sendYamlAsText();
    }

    @BeforeEach
    void seed() {
        database.clear();
        if (server.getClient().namespaces().withName("bookinfo").get() == null) {
            server.getClient().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                    .withName("bookinfo").endMetadata().build()).create();
            IstioFixtures.seed(server.getClient(), "bookinfo", "virtual-service-all-v1", "virtual-service-reviews-80-20");
        }
        for (String example : EXAMPLES) {
            asAdmin().contentType(TestApi.YAML).body(Examples.yaml(example)).put("/api/v1/experiments/" + example).then()
                    .statusCode(org.hamcrest.Matchers.anyOf(equalTo(200), equalTo(201)));
        }
    }

    @Test
    void previewsShowTheExactVirtualServiceBeforeAndAfterAndChangeNothing() throws Exception {
        for (String example : EXAMPLES) {
            String service = example.substring(0, example.indexOf('-'));
            JsonNode stored = IstioFixtures.virtualService(server.getClient(), "bookinfo", service);

            String body = asAdmin().post("/api/v1/experiments/" + example + "/preview").then().statusCode(200)
                    .body("experiment", equalTo(example))
                    .body("rule", equalTo("faultline-preview"))
                    .body("changes[0].action", equalTo("update"))
                    .body("changes[0].kind", equalTo("VirtualService"))
                    .body("changes[0].name", equalTo(service))
                    .body("changes[0].after.spec.http[0].name", equalTo("faultline-preview"))
                    .body("changes[0].before.metadata.resourceVersion", nullValue())
                    .extract().asString();

            JsonNode preview = new ObjectMapper().readTree(body);
            CrdSchema.istio().assertValid(preview.at("/changes/0/after"));
            assertThat(preview.at("/changes/0/before/spec")).isEqualTo(stored.path("spec"));
            assertThat(IstioFixtures.virtualService(server.getClient(), "bookinfo", service)).isEqualTo(stored);
        }
    }

    @Test
    void aPreviewShowsThePromQlOfEveryTemplate() {
        asAdmin().post("/api/v1/experiments/reviews-v2-latency/preview").then().statusCode(200)
                .body("queries.path", hasItem("spec.guardrails[0]"))
                .body("queries.find { it.path == 'spec.guardrails[0]' }.promql", equalTo(
                        "(sum(rate(istio_requests_total{reporter=\"destination\",destination_service_name=\"productpage\","
                                + "destination_workload_namespace=\"bookinfo\",response_flags!~\".*(FI|DI).*\",response_code=~\"5..\"}[30s]))"
                                + " or vector(0)) / sum(rate(istio_requests_total{reporter=\"destination\",destination_service_name=\"productpage\","
                                + "destination_workload_namespace=\"bookinfo\",response_flags!~\".*(FI|DI).*\"}[30s]))"))
                .body("queries.find { it.path == 'spec.steadyState.probes[0]' }.promql", containsString("histogram_quantile(0.99"));
    }

    @Test
    void aPreviewNamesWhatThePolicyWouldRefuse() {
        asAdmin().post("/api/v1/experiments/ratings-abort-jason/preview").then().statusCode(200)
                .body("policy.path", hasItem("spec.target.namespace"))
                .body("policy[0].message", containsString("faultline.policy.allowed-namespaces is empty"));
    }

    @Test
    void aSubsetBehindAWeightedSplitAsksForConsent() {
        asAdmin().post("/api/v1/experiments/reviews-v2-latency/preview").then().statusCode(200)
                .body("needsConsent", equalTo(true))
                .body("warnings[0]", containsString("splits traffic by weight across subsets [v1, v2]"))
                .body("changes[0].after.spec.http[0].route.size()", equalTo(2));
    }

    @Test
    void aTargetThatNoRouteServesIsExplained() {
        asAdmin().contentType(TestApi.YAML).body(Examples.yaml("reviews-v2-latency").replace("subset: v2", "subset: v3"))
                .put("/api/v1/experiments/reviews-v2-latency").then().statusCode(200);
        asAdmin().post("/api/v1/experiments/reviews-v2-latency/preview").then().statusCode(422)
                .contentType(TestApi.PROBLEM)
                .body("type", equalTo("https://faultline.dev/problems/target-unresolved"))
                .body("detail", containsString("no route of VirtualService bookinfo/reviews sends traffic to reviews subset v3"));
    }

    @Test
    void onlyExperimentersWithAGrantForTheNamespacePreview() {
        users.create("vera", List.of("bookinfo"), Role.VIEWER);
        users.create("pat", List.of("payments"), Role.EXPERIMENTER);
        users.create("erin", List.of("bookinfo"), Role.EXPERIMENTER);
        String preview = "/api/v1/experiments/details-delay-http-check/preview";

        as("vera", TestUsers.password("vera")).post(preview).then().statusCode(403).contentType(TestApi.PROBLEM)
                .body("type", equalTo("https://faultline.dev/problems/forbidden"));
        as("pat", TestUsers.password("pat")).post(preview).then().statusCode(403).contentType(TestApi.PROBLEM)
                .body("detail", containsString("pat has no grant for namespace bookinfo"));
        as("erin", TestUsers.password("erin")).post(preview).then().statusCode(200).body("changes[0].name", equalTo("details"));
        given().post(preview).then().statusCode(401);
        asAdmin().post("/api/v1/experiments/nothing-here/preview").then().statusCode(404);
    }
}

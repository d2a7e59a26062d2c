package dev.faultline.api;

import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.security.Role;
import dev.faultline.testing.CrdSchema;
import dev.faultline.testing.IstioFixtures;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestUsers;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * {@code GET /api/v1/posture} on the mock cluster: Bookinfo with held-in VirtualService timeouts and
 * retries, a DestinationRule with outlier detection, and PeerAuthentications at the mesh, namespace and
 * workload levels.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class PostureApiTest {

    private static final String NS = "posture-shop";
    private static final ResourceDefinitionContext PEER_AUTHENTICATIONS = new ResourceDefinitionContext.Builder()
            .withGroup("security.istio.io").withVersion("v1").withKind("PeerAuthentication").withPlural("peerauthentications")
            .withNamespaced(true).build();

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;

    private KubernetesClient client() {
        return server.getClient();
    }

    @BeforeEach
    void seed() {
        database.clear();
        if (client().services().inNamespace(NS).withName("reviews").get() != null) {
            return;
        }
        IstioFixtures.seed(client(), NS, "virtual-service-all-v1");
        ObjectNode reviews = (ObjectNode) IstioFixtures.virtualService(client(), NS, "reviews");
        ObjectNode route = (ObjectNode) reviews.at("/spec/http/0");
        route.put("timeout", "2s");
        route.set("retries", IstioFixtures.yaml("{attempts: 2, perTryTimeout: 500ms, retryOn: 5xx}"));
        replace(IstioFixtures.VIRTUAL_SERVICES, reviews);
        ObjectNode ratingsRule = (ObjectNode) json(client().genericKubernetesResources(IstioFixtures.DESTINATION_RULES).inNamespace(NS)
                .withName("ratings").get());
        ((ObjectNode) ratingsRule.path("spec")).set("trafficPolicy",
                IstioFixtures.yaml("{outlierDetection: {consecutive5xxErrors: 3, interval: 5s, baseEjectionTime: 30s}}"));
        replace(IstioFixtures.DESTINATION_RULES, ratingsRule);
        create("istio-system", "default", null, "STRICT");
        create(NS, "reviews-legacy", "reviews", "PERMISSIVE");
    }

    private void create(String namespace, String name, String app, String mode) {
        client().genericKubernetesResources(PEER_AUTHENTICATIONS).inNamespace(namespace).resource(resource(IstioFixtures.yaml("""
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: %s, namespace: %s}
                spec: {%s mtls: {mode: %s}}
                """.formatted(name, namespace, app == null ? "" : "selector: {matchLabels: {app: " + app + "}},", mode)))).create();
    }

    private void replace(ResourceDefinitionContext kind, ObjectNode resource) {
        CrdSchema.istio().assertValid(resource);
        client().genericKubernetesResources(kind).inNamespace(NS).resource(resource(resource)).update();
    }

    private GenericKubernetesResource resource(JsonNode json) {
        return client().getKubernetesSerialization().convertValue(json, GenericKubernetesResource.class);
    }

    private JsonNode json(GenericKubernetesResource resource) {
        return client().getKubernetesSerialization().convertValue(resource, JsonNode.class);
    }

    @Test
    void thePostureShowsRoutesCircuitBreakingMtlsAndTheGaps() {
        asAdmin().get("/api/v1/posture?namespace=" + NS).then().statusCode(200)
                .body("namespace", equalTo(NS))
                .body("mtls", equalTo("STRICT"))
                .body("mtlsSource", equalTo("mesh-wide PeerAuthentication istio-system/default"))
                .body("services.service", equalTo(List.of("details", "productpage", "ratings", "reviews")))
                .body("services.find { it.service == 'reviews' }.routes[0].virtualService", equalTo("reviews"))
                .body("services.find { it.service == 'reviews' }.routes[0].subsets", equalTo(List.of("v1")))
                .body("services.find { it.service == 'reviews' }.routes[0].timeout", equalTo("2s"))
                .body("services.find { it.service == 'reviews' }.routes[0].retries.attempts", equalTo(2))
                .body("services.find { it.service == 'reviews' }.routes[0].retries.perTryTimeout", equalTo("500ms"))
                .body("services.find { it.service == 'reviews' }.routes[0].retries.retryOn", equalTo("5xx"))
                .body("services.find { it.service == 'reviews' }.mtls", equalTo("PERMISSIVE"))
                .body("services.find { it.service == 'reviews' }.gaps", hasItem(containsString("mTLS PERMISSIVE for reviews")))
                .body("services.find { it.service == 'reviews' }.gaps", not(hasItem(containsString("no timeout"))))
                .body("services.find { it.service == 'reviews' }.circuitBreaker.destinationRule", equalTo("reviews"))
                .body("services.find { it.service == 'reviews' }.circuitBreaker.outlierDetection", nullValue())
                .body("services.find { it.service == 'ratings' }.mtls", equalTo("STRICT"))
                .body("services.find { it.service == 'ratings' }.routes[0].timeout", nullValue())
                .body("services.find { it.service == 'ratings' }.circuitBreaker.outlierDetection.consecutive5xxErrors", equalTo(3))
                .body("services.find { it.service == 'ratings' }.gaps", hasItems(
                        "no timeout on calls to ratings (VirtualService ratings, route #0)"))
                .body("services.find { it.service == 'ratings' }.gaps", not(hasItem(containsString("circuit breaking"))));
    }

    @Test
    void aBadOrMissingNamespaceIsRefusedNamingTheField() {
        asAdmin().get("/api/v1/posture").then().statusCode(400)
                .body("errors[0].path", equalTo("namespace")).body("errors[0].message", containsString("is required"));
        asAdmin().get("/api/v1/posture?namespace=Not_A_Namespace").then().statusCode(400)
                .body("errors[0].path", equalTo("namespace")).body("errors[0].message", containsString("DNS label"));
    }

    @Test
    void aViewerNeedsAGrantForTheNamespaceAndAStrangerIsNotLetIn() {
        users.create("vera", List.of(NS), Role.VIEWER);
        users.create("otto", List.of("elsewhere"), Role.VIEWER);

        as("vera", TestUsers.password("vera")).get("/api/v1/posture?namespace=" + NS).then().statusCode(200);
        as("otto", TestUsers.password("otto")).get("/api/v1/posture?namespace=" + NS).then().statusCode(403)
                .body("detail", containsString("no grant for namespace " + NS));
        given().get("/api/v1/posture?namespace=" + NS).then().statusCode(401);
    }

    @Test
    void aNamespaceWithoutServicesHasNone() {
        asAdmin().get("/api/v1/posture?namespace=empty-one").then().statusCode(200)
                .body("services", equalTo(List.of())).body("mtls", equalTo("STRICT"));
    }
}

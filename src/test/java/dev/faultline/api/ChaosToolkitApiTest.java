package dev.faultline.api;

import static dev.faultline.testing.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.security.Role;
import dev.faultline.testing.IstioFixtures;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * Importing Chaos Toolkit experiments and exporting Faultline ones, as a pipeline or a user calls the API;
 * an import is previewed against Bookinfo in the mock cluster, whose reviews route splits 80/20 between
 * v1 and v2.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ChaosToolkitApiTest {

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
    void clean() {
        database.clear();
        users.create("carla", List.of("default", "bookinfo"), Role.EXPERIMENTER);
        IstioFixtures.seedOnce(server.getClient(), "bookinfo", "virtual-service-all-v1", "virtual-service-reviews-80-20");
    }

    private static RequestSpecification carla() {
        return as("carla", TestUsers.password("carla"));
    }

    private static String fixture(String file) {
        try (InputStream in = ChaosToolkitApiTest.class.getResourceAsStream("/chaostoolkit/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anImportAnswersTheDocumentAndWhatDidNotMapAndStoresItWhenAsked() {
        String istio = fixture("chaostoolkit-istio-readme-example.json");
        carla().contentType(ContentType.JSON).body(istio).post("/api/v1/import/chaostoolkit").then().statusCode(200)
                .body("experiment.metadata.name", equalTo("network-latency-does-not-impact-our-users"))
                .body("experiment.spec.faults[0].delay.fixedDelay", equalTo("5s"))
                .body("unmapped.path", hasItem("steady-state-hypothesis.probes[0]"))
                .body("errors", equalTo(List.of()));
        carla().get("/api/v1/experiments/network-latency-does-not-impact-our-users").then().statusCode(404);

        carla().contentType(ContentType.JSON).body(istio).post("/api/v1/import/chaostoolkit?store=true&name=reviews-latency-for-jason")
                .then().statusCode(201).header("Location", org.hamcrest.Matchers.endsWith("/api/v1/experiments/reviews-latency-for-jason"))
                .body("experiment.metadata.name", equalTo("reviews-latency-for-jason"));
        carla().get("/api/v1/experiments/reviews-latency-for-jason").then().statusCode(200)
                .body("spec.target.subset", equalTo("v2")).body("status.createdBy", equalTo("carla"));
        carla().contentType(ContentType.JSON).body(istio).post("/api/v1/import/chaostoolkit?store=true&name=reviews-latency-for-jason")
                .then().statusCode(409);

        JsonPath exported = JsonPath.from(carla().get("/api/v1/experiments/reviews-latency-for-jason/export/chaostoolkit").then()
                .statusCode(200).extract().asString());
        assertThat(exported.getString("experiment.title")).isEqualTo("Network latency does not impact our users");
        assertThat(exported.getString("experiment.method[0].provider.func")).isEqualTo("add_delay_fault");
        assertThat(exported.getInt("experiment.method[0].pauses.after")).isEqualTo(2);
        assertThat(exported.getString("experiment.rollbacks[0].provider.func")).isEqualTo("remove_delay_fault");
        assertThat(exported.getList("unmapped")).isEmpty();
    }

    @Test
    void aSecretUsedInAHeaderIsImportedAsAReferenceAndNeverStored() {
        String value = dev.faultline.testing.TestSecrets.remember("s3cr3t-ctk-import-7c1d");
        String ctk = """
                {"title": "Guarded", "description": "a probe with a token",
                 "secrets": {"auth": {"token": "%s"}},
                 "steady-state-hypothesis": {"title": "up", "probes": [{"type": "probe", "name": "health", "tolerance": 200,
                   "provider": {"type": "http", "url": "http://productpage.bookinfo:9080/health?t=${token}",
                                "headers": {"Authorization": "Bearer ${token}"}}}]},
                 "method": []}""".formatted(value);
        String answer = carla().contentType(ContentType.JSON).body(ctk).post("/api/v1/import/chaostoolkit").then().statusCode(200)
                .body("experiment.spec.steadyState.probes[0].http.headers.Authorization.valueFrom.secret", equalTo("auth-token"))
                .body("unmapped.find { it.path == 'secrets.auth.token' }.reason",
                        equalTo("not stored: create it with PUT /api/v1/secrets/auth-token holding the full header value"))
                .body("unmapped.find { it.path == 'steady-state-hypothesis.probes[0].provider.url' }.reason", containsString("a secret"))
                .extract().asString();
        assertThat(answer).doesNotContain(value);

        carla().contentType(ContentType.JSON).body(java.util.Map.of("value", "Bearer " + value, "hosts", List.of("productpage.bookinfo:9080")))
                .put("/api/v1/secrets/auth-token").then().statusCode(201);
        carla().contentType(ContentType.JSON).body(ctk).post("/api/v1/import/chaostoolkit").then().statusCode(200)
                .body("unmapped.find { it.path == 'secrets.auth.token' }.reason", containsString("exists"));
    }

    @Test
    void anImportSaysWhatARunWouldReachBeyondItsTargetAndWhenTheTargetCannotBeChecked() {
        String istio = fixture("chaostoolkit-istio-readme-example.json");
        // As written it names no namespace (Chaos Toolkit's default), and default has no Service reviews.
        carla().contentType(ContentType.JSON).body(istio).post("/api/v1/import/chaostoolkit").then().statusCode(200)
                .body("experiment.spec.target.namespace", equalTo("default"))
                .body("warnings", equalTo(List.of("could not check the target against the cluster: there is no Service reviews "
                        + "in namespace default (spec.target.service)")));

        String inBookinfo = istio.replace("\"virtual_service_name\": \"reviews\",", "\"virtual_service_name\": \"reviews\", \"ns\": \"bookinfo\",");
        carla().contentType(ContentType.JSON).body(inBookinfo).post("/api/v1/import/chaostoolkit?store=true&name=reviews-v2-latency")
                .then().statusCode(201)
                .body("experiment.spec.target.namespace", equalTo("bookinfo"))
                .body("warnings", hasItem(containsString("splits traffic by weight across subsets [v1, v2]")))
                .body("warnings", hasItem(containsString("not only v2; running needs consent to this wider blast radius")));
        carla().get("/api/v1/experiments/reviews-v2-latency").then().statusCode(200);
    }

    @Test
    void anIncompleteImportIsNotStoredAndSaysWhatIsMissing() {
        String lab4 = fixture("chaosiq-demos-lab4-experiment.json");
        carla().contentType(ContentType.JSON).body(lab4).post("/api/v1/import/chaostoolkit").then().statusCode(200)
                .body("errors.path", equalTo(List.of("spec.target", "spec.faults", "spec.duration")))
                .body("warnings", equalTo(List.of()))
                .body("experiment.spec.steadyState.probes[0].http.url", equalTo("http://localhost:30080/"));
        carla().contentType(ContentType.JSON).body(lab4).post("/api/v1/import/chaostoolkit?store=true&var=front_url=http://front.shop:80/")
                .then().statusCode(400).contentType(TestApi.PROBLEM)
                .body("errors.path", equalTo(List.of("spec.target", "spec.faults", "spec.duration")));
        carla().contentType(ContentType.JSON).body(lab4).post("/api/v1/import/chaostoolkit?var=front_url=http://front.shop:80/")
                .then().statusCode(200).body("experiment.spec.steadyState.probes[0].http.url", equalTo("http://front.shop:80/"));
        carla().contentType(ContentType.JSON).body(lab4).post("/api/v1/import/chaostoolkit?var=front_url").then().statusCode(400)
                .body("errors[0].path", equalTo("var[0]"));
    }

    @Test
    void onlyTheEnvironmentVariablesTheOperatorAllowedAreRead() {
        String yaml = """
                title: Environment
                description: reads two variables
                configuration:
                  front: { type: env, key: FAULTLINE_IMPORT_TEST_URL }
                  home: { type: env, key: PATH }
                steady-state-hypothesis:
                  title: up
                  probes:
                    - { type: probe, name: front, tolerance: 200, provider: { type: http, url: "${front}/health" } }
                    - { type: probe, name: home, tolerance: 200, provider: { type: http, url: "http://x/${home}" } }
                method: []
                """;
        JsonPath answer = JsonPath.from(carla().contentType(TestApi.YAML).body(yaml).post("/api/v1/import/chaostoolkit").then()
                .statusCode(200).extract().asString());
        assertThat(answer.getString("experiment.spec.steadyState.probes[0].http.url")).isEqualTo("http://front.from-env:8080/health");
        assertThat(answer.getString("experiment.spec.steadyState.probes[1].http.url")).isEqualTo("http://x/${home}");
        assertThat(answer.prettify()).doesNotContain(System.getenv("PATH"));
    }

    @Test
    void malformedInputIsRefusedNamingThePath() {
        carla().contentType(ContentType.JSON).body("""
                {"title": "t", "description": "d", "method": [{"type": "action", "name": "x", "provider": {"type": "shell"}}],
                 "steady-state-hypothesis": {"title": "s", "probes": [{"type": "probe", "name": "p", "tolerance": 0.5,
                   "provider": {"type": "http", "url": "http://x"}}]}}""")
                .post("/api/v1/import/chaostoolkit").then().statusCode(400).contentType(TestApi.PROBLEM)
                .body("errors.path", equalTo(List.of("steady-state-hypothesis.probes[0].tolerance", "method[0].provider.type")));
        carla().contentType(ContentType.JSON).body("{\"title\": ").post("/api/v1/import/chaostoolkit").then().statusCode(400)
                .body("errors[0].path", equalTo("(document)"));
    }

    @Test
    void aDocumentWithGoldenSignalsExportsTheirPromQl() {
        String yaml = """
                apiVersion: faultline.dev/v1
                kind: Experiment
                metadata: { name: ratings-abort }
                spec:
                  target: { namespace: bookinfo, service: ratings }
                  faults: [ { abort: { httpStatus: 500, percentage: 20 } } ]
                  duration: 1m
                  guardrails:
                    - name: ratings errors
                      goldenSignal: { signal: errorRate, service: ratings, window: 30s }
                      tolerance: { equals: 0 }
                """;
        JsonPath exported = JsonPath.from(carla().contentType(TestApi.YAML).body(yaml).post("/api/v1/export/chaostoolkit").then()
                .statusCode(200).extract().asString());
        assertThat(exported.getString("experiment.controls[0].provider.arguments.probes[0].provider.arguments.query"))
                .contains("istio_requests_total").contains("destination_service_name=\"ratings\"");
        assertThat(exported.getList("unmapped.path")).containsExactly("spec.guardrails[0].goldenSignal");
        assertThat(exported.getString("experiment.method[0].provider.func")).isEqualTo("add_abort_fault");
    }
}

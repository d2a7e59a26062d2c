package dev.faultline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import dev.faultline.testing.IstioFixtures;
import dev.faultline.testing.PackagedServer;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestSecrets;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * The packaged server killed with SIGKILL while a run is INJECTING, OBSERVING or RECOVERING. On
 * restart, before it reports ready, no Faultline rule remains and the run has ended ABORTED with the
 * reason "orchestrator restarted". The periodic reconciler is set to an hour, so only the start-up
 * pass can have done it. Stopped gracefully (SIGTERM), the server ends its runs itself and records
 * it before its embedded database stops.
 */
class CrashRecoveryIT {

    private static final String PASSWORD = TestSecrets.remember("crash-admin-Secret-0042");
    private static final String VS_PATH = "/apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices/reviews";

    @TempDir
    Path dataDir;

    private KubernetesMockServer cluster;
    private KubernetesClient client;
    private HttpServer health;
    private JsonNode original;

    @BeforeAll
    static void yaml() {
        TestApi.sendYamlAsText();
    }

    @BeforeEach
    void startCluster() throws IOException {
        var responses = new HashMap<io.fabric8.mockwebserver.ServerRequest, java.util.Queue<io.fabric8.mockwebserver.ServerResponse>>();
        cluster = new KubernetesMockServer(new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
        cluster.init();
        client = cluster.createClient();
        IstioFixtures.seed(client, "bookinfo", "virtual-service-all-v1");
        original = IstioFixtures.virtualService(client, "bookinfo", "reviews");
        health = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        health.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 2);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("ok".getBytes());
            }
        });
        health.start();
    }

    @AfterEach
    void stopCluster() {
        client.close();
        cluster.destroy();
        health.stop(0);
    }

    private PackagedServer start(String name) {
        Map<String, String> config = Map.of("faultline.data-dir", dataDir.toString(),
                "faultline.admin.password", PASSWORD,
                "faultline.instance-id", "crash-it",
                "faultline.policy.allowed-namespaces", "bookinfo",
                "faultline.run.reconcile-interval", "PT1H",
                "quarkus.kubernetes-client.api-server-url", cluster.url("/"),
                "quarkus.kubernetes-client.namespace", "default");
        return PackagedServer.start(config, dataDir.resolve(name + ".log"));
    }

    private static RequestSpecification admin(PackagedServer server) {
        return TestApi.as("admin", PASSWORD).baseUri(server.baseUri().toString());
    }

    /** Creates the experiment and starts a run of it; the run's id. */
    private String startRun(PackagedServer server) {
        String yaml = """
                apiVersion: faultline.dev/v1
                kind: Experiment
                metadata: { name: reviews-crash }
                spec:
                  target: { namespace: bookinfo, service: reviews }
                  faults:
                    - abort: { httpStatus: 503, percentage: 50 }
                  duration: 10m
                  guardrails:
                    - name: something answers
                      http: { url: "http://127.0.0.1:%d/", expectStatus: 200 }
                      interval: 500ms
                """.formatted(health.getAddress().getPort());
        admin(server).contentType(TestApi.YAML).body(yaml).put("/api/v1/experiments/reviews-crash").then().statusCode(201);
        return admin(server).contentType(ContentType.JSON).body("{}").post("/api/v1/experiments/reviews-crash/runs").then()
                .statusCode(202).extract().path("id");
    }

    private static void awaitState(PackagedServer server, String id, String state) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String current = null;
        while (System.nanoTime() < deadline) {
            current = admin(server).get("/api/v1/runs/" + id).then().extract().path("state");
            if (state.equals(current)) {
                return;
            }
            sleep(50);
        }
        throw new AssertionError("run " + id + " did not reach " + state + "; it is " + current);
    }

    private boolean ruleLive() {
        return IstioFixtures.virtualService(client, "bookinfo", "reviews").path("spec").path("http").toString().contains("faultline-");
    }

    /** Restarts on the same data; by the time it is ready the rule is gone and the run ABORTED. */
    private void assertRecoveredOnRestart(String id) {
        cluster.clearExpectations();
        try (PackagedServer restarted = start("restarted")) {
            assertThat(IstioFixtures.virtualService(client, "bookinfo", "reviews").path("spec")).isEqualTo(original.path("spec"));
            JsonPath run = JsonPath.from(admin(restarted).get("/api/v1/runs/" + id).then().statusCode(200).extract().asString());
            assertThat(run.getString("state")).isEqualTo("ABORTED");
            assertThat(run.getString("reason")).isEqualTo("orchestrator restarted");
        }
    }

    @Test
    void killedWhileObserving() {
        String id;
        try (PackagedServer server = start("first")) {
            id = startRun(server);
            awaitState(server, id, "OBSERVING");
            assertThat(ruleLive()).isTrue();
            server.kill();
        }
        assertThat(ruleLive()).as("the killed server left its rule behind").isTrue();
        assertRecoveredOnRestart(id);
    }

    @Test
    void stoppedGracefullyWhileObservingTakesItsRuleOutOnTheWayOut() {
        String id;
        try (PackagedServer server = start("first")) {
            id = startRun(server);
            awaitState(server, id, "OBSERVING");
            assertThat(ruleLive()).isTrue();
            server.stop();
        }
        assertThat(IstioFixtures.virtualService(client, "bookinfo", "reviews").path("spec"))
                .as("the rule is removed by the stopping server itself, before any restart").isEqualTo(original.path("spec"));
        try (PackagedServer restarted = start("restarted")) {
            JsonPath run = JsonPath.from(admin(restarted).get("/api/v1/runs/" + id).then().statusCode(200).extract().asString());
            assertThat(run.getString("state")).isEqualTo("ABORTED");
            assertThat(run.getString("reason")).as(firstLog()).isEqualTo("Faultline is shutting down");
            assertThat(run.getList("rules.removedAt")).as("the stopping server recorded the removal").isNotEmpty().doesNotContainNull();
        }
    }

    @Test
    void killedWhileInjecting() {
        cluster.expect().put().delay(20, TimeUnit.SECONDS).withPath(VS_PATH).andReturn(200, "{}").always();
        String id;
        try (PackagedServer server = start("first")) {
            id = startRun(server);
            awaitState(server, id, "INJECTING");
            server.kill();
        }
        assertRecoveredOnRestart(id);
    }

    @Test
    void killedWhileRecovering() {
        String id;
        try (PackagedServer server = start("first")) {
            id = startRun(server);
            awaitState(server, id, "OBSERVING");
            cluster.expect().put().delay(20, TimeUnit.SECONDS).withPath(VS_PATH).andReturn(200, "{}").always();
            Thread.ofVirtual().start(() -> {
                try {
                    admin(server).contentType(ContentType.JSON).body("{}").post("/api/v1/runs/" + id + "/abort");
                } catch (RuntimeException killedMidRequest) {
                    // the server is killed while this abort waits for the stuck removal
                }
            });
            awaitState(server, id, "RECOVERING");
            assertThat(ruleLive()).isTrue();
            server.kill();
        }
        assertThat(ruleLive()).isTrue();
        assertRecoveredOnRestart(id);
    }

    private String firstLog() {
        try {
            return java.nio.file.Files.readString(dataDir.resolve("first.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

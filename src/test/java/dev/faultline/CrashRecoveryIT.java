package dev.faultline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.faultline.testing.TestExperiments;
import dev.faultline.testing.PackagedServer;
import dev.faultline.testing.StandaloneBookinfo;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestSecrets;
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

    private StandaloneBookinfo mesh;

    @BeforeAll
    static void yaml() {
        TestApi.sendYamlAsText();
    }

    @BeforeEach
    void startCluster() throws IOException {
        mesh = StandaloneBookinfo.start();
    }

    @AfterEach
    void stopCluster() {
        mesh.close();
    }

    private PackagedServer start(String name) {
        Map<String, String> config = new HashMap<>(Map.of("faultline.data-dir", dataDir.toString(),
                "faultline.admin.password", PASSWORD,
                "faultline.instance-id", "crash-it",
                "faultline.policy.allowed-namespaces", "bookinfo",
                "faultline.run.reconcile-interval", "PT1H"));
        config.putAll(mesh.serverConfig());
        return PackagedServer.start(config, dataDir.resolve(name + ".log"));
    }

    private static RequestSpecification admin(PackagedServer server) {
        return TestApi.as("admin", PASSWORD).baseUri(server.baseUri().toString());
    }

    /** Creates the experiment and starts a run of it; the run's id. */
    private String startRun(PackagedServer server) {
        String yaml = TestExperiments.aborting("reviews").named("reviews-crash").lasting("10m").answering(mesh.healthyPort()).yaml();
        admin(server).contentType(TestApi.YAML).body(yaml).put("/api/v1/experiments/reviews-crash").then().statusCode(201);
        return admin(server).contentType(ContentType.JSON).body("{}").post("/api/v1/experiments/reviews-crash/runs").then()
                .statusCode(202).extract().path("id");
    }

    private boolean ruleLive() {
        return mesh.reviews().path("spec").path("http").toString().contains("faultline-");
    }

    /** Restarts on the same data; by the time it is ready the rule is gone and the run ABORTED. */
    private void assertRecoveredOnRestart(String id) {
        mesh.cluster().clearExpectations();
        try (PackagedServer restarted = start("restarted")) {
            assertThat(mesh.reviews().path("spec")).isEqualTo(mesh.originalReviews().path("spec"));
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
            server.awaitRunState(admin(server), id, "OBSERVING");
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
            server.awaitRunState(admin(server), id, "OBSERVING");
            assertThat(ruleLive()).isTrue();
            server.stop();
        }
        assertThat(mesh.reviews().path("spec"))
                .as("the rule is removed by the stopping server itself, before any restart").isEqualTo(mesh.originalReviews().path("spec"));
        try (PackagedServer restarted = start("restarted")) {
            JsonPath run = JsonPath.from(admin(restarted).get("/api/v1/runs/" + id).then().statusCode(200).extract().asString());
            assertThat(run.getString("state")).isEqualTo("ABORTED");
            assertThat(run.getString("reason")).as(firstLog()).isEqualTo("Faultline is shutting down");
            assertThat(run.getList("rules.removedAt")).as("the stopping server recorded the removal").isNotEmpty().doesNotContainNull();
        }
    }

    @Test
    void killedWhileInjecting() {
        mesh.cluster().expect().put().delay(20, TimeUnit.SECONDS).withPath(VS_PATH).andReturn(200, "{}").always();
        String id;
        try (PackagedServer server = start("first")) {
            id = startRun(server);
            server.awaitRunState(admin(server), id, "INJECTING");
            server.kill();
        }
        assertRecoveredOnRestart(id);
    }

    @Test
    void killedWhileRecovering() {
        String id;
        try (PackagedServer server = start("first")) {
            id = startRun(server);
            server.awaitRunState(admin(server), id, "OBSERVING");
            mesh.cluster().expect().put().delay(20, TimeUnit.SECONDS).withPath(VS_PATH).andReturn(200, "{}").always();
            Thread.ofVirtual().start(() -> {
                try {
                    admin(server).contentType(ContentType.JSON).body("{}").post("/api/v1/runs/" + id + "/abort");
                } catch (RuntimeException killedMidRequest) {
                    // the server is killed while this abort waits for the stuck removal
                }
            });
            server.awaitRunState(admin(server), id, "RECOVERING");
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
}

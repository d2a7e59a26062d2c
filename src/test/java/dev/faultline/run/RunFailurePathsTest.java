package dev.faultline.run;

import static dev.faultline.testing.TestApi.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import dev.faultline.testing.TestExperiments;
import dev.faultline.testing.IstioFixtures;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.path.json.JsonPath;

/**
 * The paths where the cluster misbehaves after something may have been written: an apply whose
 * answer was lost (the rule is in the mesh, the database does not know it), and removals that fail
 * for a while (the run ends marked for cleanup, the reconciler takes the rule out later). Either way
 * no rule is left behind.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(RunFailurePathsTest.Troubled.class)
class RunFailurePathsTest {

    public static class Troubled implements QuarkusTestProfile {
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(TroubledInjector.class);
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("faultline.policy.allowed-namespaces", "bookinfo",
                    "faultline.run.settle-time", "PT0S",
                    "faultline.run.reconcile-interval", "PT1S");
        }
    }

    private static HttpServer health;

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    TestDatabase database;

    private JsonNode original;

    @BeforeAll
    static void startHealth() throws IOException {
        TestApi.sendYamlAsText();
        health = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        health.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 2);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("ok".getBytes());
            }
        });
        health.start();
    }

    @AfterAll
    static void stopHealth() {
        health.stop(0);
        TroubledInjector.reset();
    }

    @BeforeEach
    void seed() {
        database.clear();
        TroubledInjector.reset();
        IstioFixtures.seedOnce(server.getClient(), "bookinfo", "virtual-service-all-v1");
        original = IstioFixtures.virtualService(server.getClient(), "bookinfo", "reviews");
    }

    @Test
    void anApplyWhoseAnswerWasLostIsUndoneBeforeTheRunEnds() {
        TroubledInjector.loseApplyAnswers = true;
        createExperiment("lost-answer", "1m");

        JsonPath run = JsonPath.from(asAdmin().post("/api/v1/experiments/lost-answer/runs?wait=true&timeout=30s").then()
                .statusCode(200).extract().asString());

        assertThat(run.getString("state")).isEqualTo("FAILED");
        assertThat(run.getString("reason")).contains("did not answer in time");
        assertThat(specOfReviews()).as("the rule the failed apply wrote is gone when the run ends").isEqualTo(original.path("spec"));
        assertThat(run.getList("rules.route")).containsExactly("faultline-" + run.getString("id"));
        assertThat(run.getList("rules.removedAt")).doesNotContainNull();
        assertThat(run.getList("timeline.message", String.class)).anyMatch(m -> m.contains("written by the apply that failed"));
        assertThat(run.getBoolean("needsCleanup")).isFalse();
    }

    @Test
    void aRuleThatCannotBeRemovedIsLeftToTheReconcilerWhichTakesItOut() {
        createExperiment("stuck-removal", "2s");
        // the run's own removal fails, and so does the reconciler's first try
        TroubledInjector.failingRemovals.set(2);

        JsonPath ended = JsonPath.from(asAdmin().post("/api/v1/experiments/stuck-removal/runs?wait=true&timeout=30s").then()
                .statusCode(200).extract().asString());
        String id = ended.getString("id");

        assertThat(ended.getBoolean("needsCleanup")).isTrue();
        assertThat(ended.getList("timeline.type")).contains("CLEANUP_NEEDED");

        JsonPath cleaned = awaitCleaned(id);
        assertThat(specOfReviews()).isEqualTo(original.path("spec"));
        assertThat(cleaned.getList("rules.removedAt")).doesNotContainNull();
        assertThat(cleaned.getList("timeline.message", String.class)).anyMatch(m -> m.contains("removed by the reconciler"));
        assertThat(TroubledInjector.failingRemovals.get()).as("both failures were met").isZero();
    }

    private JsonPath awaitCleaned(String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath run = JsonPath.from(asAdmin().get("/api/v1/runs/" + id).then().statusCode(200).extract().asString());
            if (!run.getBoolean("needsCleanup")) {
                return run;
            }
            sleep(100);
        }
        throw new AssertionError("the reconciler did not clean up after run " + id);
    }

    private JsonNode specOfReviews() {
        return IstioFixtures.virtualService(server.getClient(), "bookinfo", "reviews").path("spec");
    }

    private static void createExperiment(String name, String duration) {
        String yaml = TestExperiments.aborting("reviews").named(name).lasting(duration).answering(health.getAddress().getPort()).yaml();
        asAdmin().contentType(TestApi.YAML).body(yaml).post("/api/v1/experiments").then().statusCode(201);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

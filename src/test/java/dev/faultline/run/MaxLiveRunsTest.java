package dev.faultline.run;

import static dev.faultline.testing.Runs.awaitEnd;
import static dev.faultline.testing.Runs.awaitState;
import static dev.faultline.testing.TestApi.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** An instance carries out at most faultline.run.max-live runs at once; one more is cancelled before it touches the mesh. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(MaxLiveRunsTest.OneAtATime.class)
class MaxLiveRunsTest {

    public static class OneAtATime implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("faultline.policy.allowed-namespaces", "bookinfo", "faultline.run.max-live", "1",
                    "faultline.run.settle-time", "PT1S");
        }
    }

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    TestDatabase database;

    @BeforeEach
    void seed() {
        TestApi.sendYamlAsText();
        database.clear();
        IstioFixtures.seedOnce(server.getClient(), "bookinfo", "virtual-service-all-v1");
    }

    @Test
    void aRunBeyondTheCeilingIsCancelledAtPrecheckNamingTheKeyAndTheFirstCarriesOn() {
        String first = start(store("reviews", "live-first"));
        awaitState(first, "OBSERVING");

        JsonPath refused = awaitEnd(start(store("ratings", "live-second")));
        assertThat(refused.getString("state")).isEqualTo("CANCELLED");
        assertThat(refused.getString("reason")).contains("faultline.run.max-live is 1").contains("1 runs are live");
        assertThat(refused.getList("timeline.type", String.class)).contains("PRECHECK").doesNotContain("INJECTING");
        assertThat(refused.getList("rules")).isEmpty();

        asAdmin().get("/api/v1/runs/" + first).then().statusCode(200).body("state", org.hamcrest.Matchers.equalTo("OBSERVING"));
        asAdmin().contentType(ContentType.JSON).body(Map.of("reason", "done")).post("/api/v1/runs/" + first + "/abort").then()
                .statusCode(200).body("state", org.hamcrest.Matchers.equalTo("ABORTED"));

        // with the first one ended, a run may start again
        String again = start("live-second");
        awaitState(again, "OBSERVING");
        asAdmin().contentType(ContentType.JSON).body(Map.of("reason", "done")).post("/api/v1/runs/" + again + "/abort").then()
                .statusCode(200);
    }

    @Test
    void aScheduleFiringAtTheCeilingRecordsTheRunItStartedAndWhyThatRunWasCancelled() {
        String first = start(store("reviews", "live-first"));
        awaitState(first, "OBSERVING");
        store("ratings", "fired-at-ceiling");
        asAdmin().contentType(ContentType.JSON).body(Map.of("name", "ceiling", "experiment", "fired-at-ceiling", "cron", "0/2 * * * * ?"))
                .post("/api/v1/schedules").then().statusCode(201);
        try {
            String fired = awaitFiredRun("ceiling");
            JsonPath refused = awaitEnd(fired);
            assertThat(refused.getString("state")).isEqualTo("CANCELLED");
            assertThat(refused.getString("startedBy")).isEqualTo("schedule:ceiling");
            assertThat(refused.getString("reason")).contains("faultline.run.max-live is 1");
            assertThat(refused.getList("rules")).isEmpty();
            asAdmin().get("/api/v1/runs/" + first).then().statusCode(200).body("state", org.hamcrest.Matchers.equalTo("OBSERVING"));
        } finally {
            asAdmin().delete("/api/v1/schedules/ceiling").then().statusCode(204);
            asAdmin().contentType(ContentType.JSON).body(Map.of("reason", "done")).post("/api/v1/runs/" + first + "/abort").then()
                    .statusCode(200);
        }
    }

    /** The run the first fire of {@code schedule} that started one started (within 15 s). */
    private static String awaitFiredRun(String schedule) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath view = JsonPath.from(asAdmin().get("/api/v1/schedules/" + schedule).then().statusCode(200).extract().asString());
            String run = view.getString("history.find { it.run != null }.run");
            if (run != null) {
                return run;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(schedule + " started no run in 15 s");
    }

    private static String store(String service, String name) {
        asAdmin().contentType(TestApi.YAML).body(TestExperiments.aborting(service).named(name).lasting("60s").yaml())
                .post("/api/v1/experiments").then().statusCode(201);
        return name;
    }

    private static String start(String experiment) {
        return asAdmin().contentType(ContentType.JSON).body("{}").post("/api/v1/experiments/" + experiment + "/runs").then()
                .statusCode(202).extract().path("id");
    }
}

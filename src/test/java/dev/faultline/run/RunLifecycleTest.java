package dev.faultline.run;

import static dev.faultline.testing.Runs.awaitEnd;
import static dev.faultline.testing.Runs.awaitState;
import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static dev.faultline.testing.TestApi.awaitTimeline;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import dev.faultline.security.Role;
import dev.faultline.testing.TestExperiments;
import dev.faultline.testing.IstioFixtures;
import dev.faultline.playground.MeshSimulator;
import dev.faultline.testing.MetricsStack;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Runs end to end: the mock Kubernetes API in CRUD mode holding Bookinfo, the real Prometheus
 * scraping exporters whose traffic a simulated mesh turns bad while a fault rule is present, and
 * the REST API a pipeline would use.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = MetricsStack.class, restrictToAnnotatedClass = true)
@TestProfile(RunLifecycleTest.Bookinfo.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class RunLifecycleTest {

    public static class Bookinfo implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("faultline.policy.allowed-namespaces", "bookinfo",
                    "faultline.run.settle-time", "PT1S",
                    "faultline.run.recovery-timeout", "PT3S",
                    "faultline.run.recovery-interval", "PT0.5S",
                    "faultline.run.reconcile-interval", "PT1S");
        }
    }

    private static final AtomicInteger EXPERIMENTS = new AtomicInteger();
    private static HttpServer productpage;
    private static volatile int productpageStatus = 200;

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;
    @Inject
    RunStore runs;

    private MeshSimulator mesh;
    private JsonNode originalReviews;

    @BeforeAll
    static void startProductpage() throws IOException {
        TestApi.sendYamlAsText();
        productpage = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        productpage.createContext("/health", exchange -> {
            byte[] body = "{\"status\":\"UP\"}".getBytes();
            exchange.sendResponseHeaders(productpageStatus, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        productpage.start();
    }

    @AfterAll
    static void stopProductpage() {
        productpage.stop(0);
    }

    @BeforeEach
    void seed() {
        database.clear();
        productpageStatus = 200;
        IstioFixtures.seedOnce(server.getClient(), "bookinfo", "virtual-service-all-v1");
        originalReviews = IstioFixtures.virtualService(server.getClient(), "bookinfo", "reviews");
        mesh = new MeshSimulator(server.getClient(), "bookinfo", Map.of("reviews", MetricsStack.reviews, "ratings", MetricsStack.ratings));
        users.create("erin", List.of("bookinfo"), Role.EXPERIMENTER);
        MetricsStack.awaitTraffic();
    }

    @org.junit.jupiter.api.AfterEach
    void stopMesh() {
        mesh.close();
    }

    /** An experiment on {@code service}: an abort fault, an HTTP steady-state probe, and an error-rate guardrail. */
    private String experiment(String service, String duration, boolean excludeInjected) {
        String name = service + "-run-" + EXPERIMENTS.incrementAndGet();
        String yaml = TestExperiments.aborting(service).named(name).team("bookinfo").lasting(duration)
                .steadyWhile("productpage answers", "http://127.0.0.1:" + productpage.getAddress().getPort() + "/health")
                .errorRateBelowOneFifth(excludeInjected).yaml();
        asAdmin().contentType(TestApi.YAML).body(yaml).post("/api/v1/experiments").then().statusCode(201);
        return name;
    }

    private static JsonPath startAndWait(String experiment) {
        // no body, as a pipeline's bare curl -X POST sends it
        return JsonPath.from(as("erin", TestUsers.password("erin"))
                .post("/api/v1/experiments/" + experiment + "/runs?wait=true&timeout=60s")
                .then().statusCode(200).extract().asString());
    }

    private JsonNode reviews() {
        return IstioFixtures.virtualService(server.getClient(), "bookinfo", "reviews");
    }

    @Test
    @Order(1)
    void aCleanRunCompletesAndLeavesTheVirtualServiceAsItWas() {
        JsonPath run = startAndWait(experiment("reviews", "4s", true));

        assertThat(run.getString("state")).as(run.getString("reason")).isEqualTo("COMPLETED");
        assertThat(run.getString("verdict")).isEqualTo("COMPLETED");
        assertThat(run.getList("timeline.type")).containsSubsequence("PENDING", "PRECHECK", "INJECTING", "RULE_APPLIED",
                "OBSERVING", "RECOVERING", "RULE_REMOVED", "POSTCHECK", "RECOVERED", "COMPLETED");
        assertThat(run.getDouble("recovery.seconds")).as("held from the first check on, just after the removal").isBetween(0.0, 0.5);
        assertThat(run.getString("recovery.holdsAgainAt")).isNotNull();
        assertThat(run.getString("rules[0].route")).startsWith("faultline-");
        assertThat(run.getString("rules[0].removedAt")).isNotNull();
        assertThat(reviews().path("spec")).isEqualTo(originalReviews.path("spec"));
        assertThat(run.getList("timeline", Map.class)).filteredOn(entry -> "CHECK_TIMING".equals(entry.get("type")))
                .extracting(entry -> entry.get("message")).containsExactly("spec.guardrails[0] \"reviews error rate\": checked on a "
                        + "250ms timer, not in step with the scrape: its interval 250ms is shorter than the scrape interval 1s "
                        + "(checks between two scrapes read the same samples)");

        String id = run.getString("id");
        List<Map<String, Object>> samples = JsonPath.from(asAdmin().get("/api/v1/runs/" + id + "/samples").then().statusCode(200)
                .extract().asString()).getList("$");
        assertThat(samples).extracting(s -> s.get("check")).contains("spec.guardrails[0]", "spec.steadyState.probes[0]");
        assertThat(samples).filteredOn(s -> "OBSERVING".equals(s.get("phase"))).hasSizeGreaterThan(4)
                .allSatisfy(s -> assertThat(s.get("threshold")).isEqualTo("below 0.2"));
        Map<String, Run.Sample> newest = new java.util.LinkedHashMap<>();
        runs.samples(id).forEach(sample -> newest.put(sample.check(), sample));
        assertThat(runs.latestSamples(List.of(id)).get(id)).as("one sample per check, its newest").containsExactlyInAnyOrderElementsOf(newest.values());
        asAdmin().get("/api/v1/runs/" + id + "/junit").then().statusCode(200)
                .body(containsString("tests=\"4\" failures=\"0\""), containsString("<testcase classname=\"run\" name=\"recovery\" time=\""));
    }

    @Test
    @Order(2)
    void aBreachAbortsWithinTheGuardrailsIntervalsAndTheRuleIsGone() {
        JsonPath run = startAndWait(experiment("reviews", "60s", false));

        assertThat(run.getString("state")).isEqualTo("ABORTED");
        assertThat(run.getString("reason")).contains("guardrail \"reviews error rate\" breached").contains("not below 0.2")
                .contains("2 failed checks in a row");
        assertThat(reviews().path("spec")).isEqualTo(originalReviews.path("spec"));
        assertThat(Duration.between(java.time.Instant.parse(run.getString("startedAt")),
                java.time.Instant.parse(run.getString("endedAt")))).isLessThan(Duration.ofSeconds(30));
        asAdmin().get("/api/v1/runs/" + run.getString("id") + "/junit").then().statusCode(200)
                .body(containsString("<failure message=\"guardrail &quot;reviews error rate&quot; breached"));
    }

    @Test
    @Order(3)
    void aSteadyStateThatDoesNotComeBackIsDeviated() throws Exception {
        String experiment = experiment("reviews", "3s", true);
        String id = as("erin", TestUsers.password("erin")).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/experiments/" + experiment + "/runs").then().statusCode(202).extract().path("id");
        awaitState(id, "OBSERVING");
        productpageStatus = 503;

        JsonPath run = JsonPath.from(asAdmin().contentType(ContentType.JSON).body("{}")
                .post("/api/v1/experiments/" + experiment + "/runs?wait=true&timeout=1s").then().extract().asString());
        assertThat(run.getString("state")).as("a second run on a target with a live run").isEqualTo("CANCELLED");
        assertThat(run.getString("reason")).contains("run " + id + " is already live on reviews");

        JsonPath ended = awaitEnd(id);
        assertThat(ended.getString("state")).isEqualTo("DEVIATED");
        assertThat(ended.getString("reason")).contains("did not come back within 4s of the rules' removal")
                .contains("productpage answers").contains("answered 503");
        assertThat(ended.getString("recovery")).isNull();
        assertThat(reviews().path("spec")).isEqualTo(originalReviews.path("spec"));
    }

    @Test
    @Order(3)
    void aSteadyStateThatComesBackWithinTheRecoveryTimeoutCompletesWithItsTimeToRecover() throws Exception {
        String experiment = experiment("reviews", "2s", true);
        String id = as("erin", TestUsers.password("erin")).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/experiments/" + experiment + "/runs").then().statusCode(202).extract().path("id");
        awaitState(id, "OBSERVING");
        productpageStatus = 503;
        awaitState(id, "POSTCHECK");
        Thread.sleep(2_000);
        productpageStatus = 200;

        JsonPath ended = awaitEnd(id);
        assertThat(ended.getString("state")).as(ended.getString("reason")).isEqualTo("COMPLETED");
        assertThat(ended.getDouble("recovery.seconds")).as("the probe failed for 2 s after the removal, then held").isBetween(2.0, 3.5);
        List<Map<String, Object>> postchecks = JsonPath.from(asAdmin().get("/api/v1/runs/" + id + "/samples").then().statusCode(200)
                .extract().asString()).getList("findAll { it.phase == 'POSTCHECK' }");
        assertThat(postchecks).extracting(sample -> sample.get("passed")).contains(false).last().isEqualTo(true);
        asAdmin().get("/api/v1/runs/" + id + "/junit").then().statusCode(200)
                .body(containsString("failures=\"0\""), containsString("<property name=\"recoverySeconds\""));
    }

    @Test
    @Order(4)
    void aUserAbortRemovesTheRuleBeforeAnswering() {
        users.create("vic", List.of(), Role.VIEWER);
        String id = as("erin", TestUsers.password("erin")).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/experiments/" + experiment("reviews", "60s", true) + "/runs").then().statusCode(202)
                .extract().path("id");
        awaitState(id, "OBSERVING");
        assertThat(reviews().path("spec").path("http")).hasSize(2);

        as("vic", TestUsers.password("vic")).contentType(ContentType.JSON).body(Map.of("reason", "customers complain"))
                .post("/api/v1/runs/" + id + "/abort").then().statusCode(200)
                .body("state", equalTo("ABORTED"))
                .body("reason", equalTo("aborted by vic: customers complain"));
        assertThat(reviews().path("spec")).isEqualTo(originalReviews.path("spec"));
        as("vic", TestUsers.password("vic")).contentType(ContentType.JSON).body("{}").post("/api/v1/runs/" + id + "/abort")
                .then().statusCode(409);
    }

    @Test
    @Order(4)
    void anAbortedRunRecordsHowLongItsSteadyStateTookToHoldAgain() throws Exception {
        String id = as("erin", TestUsers.password("erin")).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/experiments/" + experiment("reviews", "60s", true) + "/runs").then().statusCode(202).extract().path("id");
        awaitState(id, "OBSERVING");
        productpageStatus = 503;
        as("erin", TestUsers.password("erin")).contentType(ContentType.JSON).body(Map.of("reason", "productpage is down"))
                .post("/api/v1/runs/" + id + "/abort").then().statusCode(200).body("state", equalTo("ABORTED")).body("recovery", nullValue());
        Thread.sleep(1_500);
        productpageStatus = 200;

        JsonPath run = awaitTimeline(id, "RECOVERED");
        assertThat(run.getString("state")).as("the verdict stays").isEqualTo("ABORTED");
        assertThat(run.getDouble("recovery.seconds")).as("productpage answered 503 for 1.5 s after the removal").isBetween(1.4, 2.6);
        assertThat(run.getList("timeline.type")).containsSubsequence("RULE_REMOVED", "ABORTED", "RECOVERED");
        List<Map<String, Object>> followed = JsonPath.from(asAdmin().get("/api/v1/runs/" + id + "/samples").then().statusCode(200)
                .extract().asString()).getList("findAll { it.phase == 'RECOVERY' }");
        assertThat(followed).extracting(sample -> sample.get("check")).contains("spec.steadyState.probes[0]", "spec.guardrails[0]");
    }

    @Test
    @Order(4)
    void anAbortedRunWhoseSteadyStateDoesNotComeBackSaysSoAndKeepsItsVerdict() {
        String id = as("erin", TestUsers.password("erin")).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/experiments/" + experiment("reviews", "60s", true) + "/runs").then().statusCode(202).extract().path("id");
        awaitState(id, "OBSERVING");
        productpageStatus = 503;
        as("erin", TestUsers.password("erin")).contentType(ContentType.JSON).body(Map.of("reason", "productpage is down"))
                .post("/api/v1/runs/" + id + "/abort").then().statusCode(200);

        JsonPath run = awaitTimeline(id, "NOT_RECOVERED");
        assertThat(run.getString("state")).isEqualTo("ABORTED");
        assertThat(run.getString("recovery")).isNull();
        assertThat(run.getString("timeline.find { it.type == 'NOT_RECOVERED' }.message"))
                .contains("did not come back within 4s of the rules' removal").contains("productpage answers").contains("answered 503");
        asAdmin().get("/api/v1/runs/" + id + "/junit").then().statusCode(200)
                .body(containsString("<testcase classname=\"run\" name=\"recovery\">"), containsString("did not come back within 4s"));
    }

    @Test
    @Order(5)
    void haltAbortsEveryLiveRunRemovesEveryRuleAndRefusesNewRunsUntilReArmed() {
        String onReviews = as("erin", TestUsers.password("erin")).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/experiments/" + experiment("reviews", "60s", true) + "/runs").then().statusCode(202).extract().path("id");
        String ratingsExperiment = experiment("ratings", "60s", true);
        String onRatings = as("erin", TestUsers.password("erin")).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/experiments/" + ratingsExperiment + "/runs").then().statusCode(202).extract().path("id");
        awaitState(onReviews, "OBSERVING");
        awaitState(onRatings, "OBSERVING");
        users.create("vic", List.of(), Role.VIEWER);

        as("vic", TestUsers.password("vic")).contentType(ContentType.JSON).body(Map.of("reason", "incident 4711"))
                .post("/api/v1/halt").then().statusCode(200)
                .body("halt.halted", equalTo(true))
                .body("runsAborted", equalTo(2))
                .body("rulesRemoved", equalTo(2));

        JsonPath reviewsRun = awaitEnd(onReviews);
        assertThat(reviewsRun.getString("state")).isEqualTo("ABORTED");
        assertThat(reviewsRun.getList("rules.removedAt")).doesNotContainNull();
        assertThat(reviewsRun.getList("timeline.type", String.class)).containsSubsequence("OBSERVING", "ABORT", "RULE_REMOVED")
                .contains("RECOVERING");
        // the kill switch's bulk pass and the run's own recovery race to remove it; either records it, once
        assertThat(reviewsRun.getList("timeline.message", String.class)).filteredOn(m -> m.contains("removed from bookinfo/reviews"))
                .hasSize(1);
        assertThat(awaitEnd(onRatings).getString("reason")).isEqualTo("halted by vic: incident 4711");
        assertThat(IstioFixtures.virtualServices(server.getClient(), "bookinfo"))
                .allSatisfy(vs -> assertThat(vs.path("spec").path("http").toString()).doesNotContain("faultline-"));
        JsonPath refused = startAndWait(ratingsExperiment);
        assertThat(refused.getString("state")).isEqualTo("CANCELLED");
        assertThat(refused.getString("reason")).contains("halted");

        as("vic", TestUsers.password("vic")).delete("/api/v1/halt").then().statusCode(403);
        asAdmin().delete("/api/v1/halt").then().statusCode(200).body("halted", equalTo(false));
    }

    @Test
    @Order(6)
    void aSteadyStateThatDoesNotHoldCancelsTheRun() {
        productpageStatus = 500;
        JsonPath run = startAndWait(experiment("reviews", "5s", true));
        assertThat(run.getString("state")).isEqualTo("CANCELLED");
        assertThat(run.getString("reason")).contains("steady state does not hold before injection").contains("answered 500");
        assertThat(run.getList("rules")).isEmpty();
    }

    @Test
    @Order(6)
    void aPostureProbeThatDoesNotHoldCancelsTheRunNamingWhatIsMissing() {
        String name = "posture-run-" + EXPERIMENTS.incrementAndGet();
        asAdmin().contentType(TestApi.YAML).body(TestExperiments.aborting("reviews").named(name).team("bookinfo").lasting("5s")
                .steadyWhilePosture("reviews has a timeout of at most 2s", "reviews", "maxTimeout: 2s").yaml())
                .post("/api/v1/experiments").then().statusCode(201);

        JsonPath run = startAndWait(name);

        assertThat(run.getString("state")).isEqualTo("CANCELLED");
        assertThat(run.getString("reason")).contains("steady state does not hold before injection")
                .contains("route #0 of VirtualService reviews has no timeout (expected at most 2s)");
        assertThat(run.getList("rules")).isEmpty();
        assertThat(reviews()).isEqualTo(originalReviews);
    }

    @Test
    @Order(7)
    void prechecksCancelBeforeAnythingIsWritten() {
        String experiment = experiment("reviews", "5s", true);
        asAdmin().contentType(TestApi.YAML).body(asAdmin().accept(TestApi.YAML).get("/api/v1/experiments/" + experiment)
                .then().extract().asString().replace("service: reviews", "service: inventory"))
                .put("/api/v1/experiments/" + experiment).then().statusCode(200);
        JsonPath run = startAndWait(experiment);
        assertThat(run.getString("state")).isEqualTo("CANCELLED");
        assertThat(run.getString("reason")).contains("there is no Service inventory");
        assertThat(run.getList("rules")).isEmpty();
        assertThat(run.getList("timeline.type")).doesNotContain("INJECTING");
    }

    @Test
    @Order(8)
    void aRunRequestWithAMisspeltFieldIsRefusedNamingIt() {
        String experiment = experiment("reviews", "5s", true);
        as("erin", TestUsers.password("erin")).contentType(ContentType.JSON).body("{\"widerBlastRadious\": true}")
                .post("/api/v1/experiments/" + experiment + "/runs").then().statusCode(400)
                .contentType(TestApi.PROBLEM)
                .body("errors[0].path", equalTo("widerBlastRadious"));
        assertThat(asAdmin().get("/api/v1/runs?experiment=" + experiment).then().extract().jsonPath().getList("")).isEmpty();
    }

    @Test
    void prometheusGoingDownMidRunAborts() throws Exception {
        String id = as("erin", TestUsers.password("erin")).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/experiments/" + experiment("reviews", "60s", true) + "/runs").then().statusCode(202)
                .extract().path("id");
        awaitState(id, "OBSERVING");
        MetricsStack.prometheus.stop();
        try {
            JsonPath run = awaitEnd(id);
            assertThat(run.getString("state")).isEqualTo("ABORTED");
            assertThat(run.getString("reason")).contains("could not connect to Prometheus");
            assertThat(reviews().path("spec")).isEqualTo(originalReviews.path("spec"));
        } finally {
            MetricsStack.prometheus.restart(); // the tests after this one see Prometheus as before
            MetricsStack.awaitTraffic();
        }
    }

    @Test
    @Order(100)
    void theStoreRefusesAMoveTheLifecycleForbidsAndAWriteOfAFormerOwner() {
        StoredRun run = new StoredRun();
        run.id = "lifecycle-rules";
        run.experiment = "none";
        run.revision = 1;
        run.document = "{}";
        run.state = RunState.PENDING;
        run.targetNamespace = "bookinfo";
        run.targetService = "reviews";
        run.startedBy = "test";
        run.createdAt = java.time.Instant.now();
        run.owner = "here";
        run.heartbeatAt = run.createdAt;
        runs.create(run);
        Ownership owner = new Ownership(run.id, 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runs.transition(owner, RunState.OBSERVING, "skipping", run.createdAt))
                .isInstanceOf(IllegalStateException.class).hasMessage("run lifecycle-rules cannot move from PENDING to OBSERVING");
        assertThat(runs.transition(owner, RunState.PRECHECK, "checking", run.createdAt)).isTrue();

        Ownership taken = runs.claimOrphan(run.id, "elsewhere", java.time.Instant.now().plusSeconds(1)).orElseThrow();
        assertThat(taken.epoch()).isEqualTo(2);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runs.transition(owner, RunState.CANCELLED, "late", run.createdAt))
                .isInstanceOf(FencedException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runs.event(owner, TimelineKind.RAMP, "late", run.createdAt))
                .isInstanceOf(FencedException.class);
        assertThat(runs.transition(taken, RunState.CANCELLED, "taken over", run.createdAt)).isTrue();
        assertThat(runs.transition(taken, RunState.CANCELLED, "again", run.createdAt)).as("an end is stored once").isFalse();
        assertThat(runs.find(run.id).orElseThrow().timeline()).extracting(Run.TimelineEntry::type)
                .containsExactly(TimelineKind.PENDING, TimelineKind.PRECHECK, TimelineKind.CANCELLED);
    }
}

package dev.faultline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.testing.TestExperiments;
import dev.faultline.testing.IstioFixtures;
import dev.faultline.testing.PackagedServer;
import dev.faultline.testing.Replicas;
import dev.faultline.testing.StoppableDatabase;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestSecrets;
import dev.faultline.testing.WebhookReceiver;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Faultline under faults of its own dependencies, on the packaged jar: its PostgreSQL stopped and
 * started again, an abort sent to the instance that does not carry the run, an owner frozen past the
 * owner timeout, a Kubernetes API that fails while a rule is removed, a team's own route that looks
 * like Faultline's, a rule in a namespace the policy no longer lists, someone else removing a rule.
 * Each prints how long the rule stayed in the mesh (the README's "Faultline under faults" table).
 */
class SafetyUnderFaultsIT {

    private static final String PASSWORD = TestSecrets.remember("safety-admin-Secret-0099");
    private static final String VS_PATH = "/apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices/reviews";
    private static StoppableDatabase database;

    @TempDir
    static Path databaseDir;
    @TempDir
    Path dir;

    private Replicas replicas;

    @BeforeAll
    static void startDatabase() {
        TestApi.sendYamlAsText();
        database = StoppableDatabase.start(databaseDir.resolve("pg"));
    }

    @AfterAll
    static void stopDatabase() {
        database.close();
    }

    @BeforeEach
    void startCluster() {
        database.startAgain();
        replicas = Replicas.on(database, dir, PASSWORD);
    }

    @AfterEach
    void stopCluster() {
        replicas.close();
    }

    @Test
    void theDatabaseStoppedUnderALiveRunTheInstanceRemovesItsRuleAfterTheGraceAndEndsTheRunWhenItIsBack() {
        Duration grace = Duration.ofSeconds(5);
        try (PackagedServer server = replicas.start("solo", Map.of("faultline.run.database-grace", "PT5S",
                "faultline.run.reconcile-interval", "PT1S"))) {
            replicas.experiment(server, "outage", "10m", "");
            String id = replicas.run(server, "outage");
            server.awaitRunState(replicas.admin(server), id, "OBSERVING");
            assertThat(replicas.ruleLive(id)).isTrue();

            long stopped = System.nanoTime();
            database.stop();
            long gone = awaitNanos(() -> !replicas.ruleLive(id), Duration.ofSeconds(30));
            Duration toRemoval = Duration.ofNanos(gone - stopped);
            assertThat(toRemoval).as("removed by the dead man's switch within the grace and 5 s").isLessThanOrEqualTo(grace.plusSeconds(5));
            assertThat(replicas.reviewsAsSeeded()).isTrue();

            replicas.admin(server).get("/api/v1/runs/" + id).then().statusCode(503).contentType(TestApi.PROBLEM)
                    .body("type", org.hamcrest.Matchers.endsWith("/database-unavailable"))
                    .body("detail", org.hamcrest.Matchers.containsString("database"));

            // a rule whose expiry has passed goes without asking the database
            long strayWritten = System.nanoTime();
            writeStrayRule("ratings", "expiredrun", "2020-01-01T00:00:00Z");
            long strayGone = awaitNanos(() -> !replicas.mesh().client().genericKubernetesResources(IstioFixtures.VIRTUAL_SERVICES)
                    .inNamespace("bookinfo").withName("ratings").get().toString().contains("faultline-expiredrun"), Duration.ofSeconds(15));

            // sign-in checks the password against what the database last said, and nothing else gets in
            TestApi.as("admin", "not-the-password").baseUri(server.baseUri().toString()).contentType(ContentType.JSON).body("{}")
                    .post("/api/v1/halt").then().statusCode(401);
            TestApi.as("nobody", PASSWORD).baseUri(server.baseUri().toString()).get("/api/v1/halt").then().statusCode(401);

            // the kill switch still works, and holds on this instance until it can be stored
            replicas.admin(server).contentType(ContentType.JSON).body(Map.of("reason", "database drill")).post("/api/v1/halt").then()
                    .statusCode(200).body("halt.halted", org.hamcrest.Matchers.equalTo(true))
                    .body("problems", org.hamcrest.Matchers.hasItem(org.hamcrest.Matchers.containsString("database does not answer")));

            database.startAgain();
            long back = System.nanoTime();
            server.awaitRunState(replicas.admin(server), id, "ABORTED");
            Duration toRecord = Duration.ofNanos(System.nanoTime() - back);
            JsonPath run = read(server, id);
            assertThat(run.getString("reason")).matches("database unreachable for \\d+ s: rules removed");
            assertThat(run.getList("rules.removedAt")).isNotEmpty().doesNotContainNull();
            assertThat(run.getList("timeline.type", String.class)).containsSubsequence("OBSERVING", "ABORT", "RECOVERING", "RULE_REMOVED",
                    "ABORTED");
            awaitNanos(() -> Boolean.TRUE.equals(replicas.admin(server).get("/api/v1/halt").then().extract().path("halted")),
                    Duration.ofSeconds(10));
            replicas.admin(server).get("/api/v1/halt").then().statusCode(200).body("reason", org.hamcrest.Matchers.equalTo("database drill"));
            awaitNanos(() -> !replicas.admin(server).get("/api/v1/audit?method=POST&path=/api/v1/halt").then().statusCode(200).extract()
                    .jsonPath().getList("$").isEmpty(), Duration.ofSeconds(15)); // the audit entry made during the outage is not lost
            report("database stopped under a live run (grace 5 s)", toRemoval, "run ABORTED " + toRecord.toMillis()
                    + " ms after the database was back");
            report("expired rule while the database is away", Duration.ofNanos(strayGone - strayWritten), "sweep every 1 s");
        }
    }

    @Test
    void anAbortSentToTheInstanceThatDoesNotCarryTheRunRemovesTheRuleBeforeItAnswers() {
        try (PackagedServer a = replicas.start("replica-a"); PackagedServer b = replicas.start("replica-b")) {
            replicas.experiment(a, "far-abort", "10m", "");
            String id = replicas.run(a, "far-abort");
            a.awaitRunState(replicas.admin(a), id, "OBSERVING");

            long asked = System.nanoTime();
            replicas.admin(b).contentType(ContentType.JSON).body(Map.of("reason", "pager went off")).post("/api/v1/runs/" + id + "/abort")
                    .then().statusCode(200);
            Duration answered = Duration.ofNanos(System.nanoTime() - asked);
            assertThat(replicas.reviewsAsSeeded()).as("the rule is gone when the answer comes").isTrue();

            b.awaitRunState(replicas.admin(b), id, "ABORTED");
            JsonPath run = read(b, id);
            assertThat(run.getString("reason")).isEqualTo("aborted by admin: pager went off");
            assertThat(run.getList("rules.removedAt")).doesNotContainNull();
            report("abort sent to the instance that does not own the run", answered, "the answer came after the removal");
        }
    }

    @Test
    void aGameDayCancelledOnTheOtherInstanceHasItsRunsRulesRemovedBeforeTheAnswer() {
        try (PackagedServer a = replicas.start("replica-a"); PackagedServer b = replicas.start("replica-b")) {
            replicas.experiment(a, "day-step", "10m", "");
            String approver = TestSecrets.remember("approver-Secret-0123");
            replicas.admin(a).contentType(ContentType.JSON).body(Map.of("username", "alex", "roles", List.of("approver"), "password", approver))
                    .post("/api/v1/users").then().statusCode(201);
            replicas.admin(a).contentType(ContentType.JSON).body(Map.of("name", "drill", "title", "Drill", "startAt",
                    java.time.Instant.now().plusSeconds(3600).toString(), "steps", List.of(Map.of("experiment", "day-step"))))
                    .post("/api/v1/gamedays").then().statusCode(201);
            TestApi.as("alex", approver).baseUri(a.baseUri().toString()).post("/api/v1/gamedays/drill/approve").then().statusCode(200);
            replicas.admin(a).post("/api/v1/gamedays/drill/start").then().statusCode(200);
            awaitNanos(() -> replicas.mesh().reviews().path("spec").path("http").toString().contains("faultline-"), Duration.ofSeconds(30));

            long asked = System.nanoTime();
            replicas.admin(b).post("/api/v1/gamedays/drill/cancel").then().statusCode(200).body("state", org.hamcrest.Matchers.equalTo("CANCELLED"))
                    .body("reason", org.hamcrest.Matchers.equalTo("cancelled by admin"));
            Duration answered = Duration.ofNanos(System.nanoTime() - asked);
            assertThat(replicas.reviewsAsSeeded()).as("the step's rule is gone when the answer comes").isTrue();
            report("game day cancelled on the instance that does not run it", answered, "the answer came after the removal");
        }
    }

    @Test
    void anOwnerFrozenPastTheOwnerTimeoutWritesNothingMoreForItsRunAfterItWakes() throws Exception {
        try (PackagedServer a = replicas.start("replica-a"); PackagedServer b = replicas.start("replica-b")) {
            // a ramp whose next steps fall due while the owner is frozen: it would write them on waking
            replicas.experiment(a, "frozen", "10m", """
                    rampUp:
                      - { percentage: 10, hold: 3s }
                      - { percentage: 20, hold: 3s }
                      - { percentage: 30, hold: 3s }
                    """);
            String id = replicas.run(a, "frozen");
            a.awaitRunState(replicas.admin(a), id, "OBSERVING");

            long frozen = System.nanoTime();
            a.pause();
            try {
                long gone = awaitNanos(() -> !replicas.ruleLive(id), Duration.ofSeconds(30));
                awaitNanos(() -> "ABORTED".equals(replicas.admin(b).get("/api/v1/runs/" + id).then().extract().path("state")),
                        Duration.ofSeconds(30));
                JsonPath taken = read(b, id);
                assertThat(taken.getString("reason")).isEqualTo("owner lost");
                String resourceVersion = replicas.mesh().reviews().path("metadata").path("resourceVersion").asText();
                int events = taken.getList("timeline").size();
                int samples = replicas.admin(b).get("/api/v1/runs/" + id + "/samples").then().statusCode(200).extract().jsonPath()
                        .getList("$").size();

                a.resume();
                TimeUnit.SECONDS.sleep(8);
                assertThat(replicas.mesh().reviews().path("metadata").path("resourceVersion").asText())
                        .as("the woken owner wrote nothing into the mesh").isEqualTo(resourceVersion);
                assertThat(replicas.reviewsAsSeeded()).isTrue();
                JsonPath after = read(b, id);
                assertThat(after.getString("state")).isEqualTo("ABORTED");
                assertThat(after.getString("reason")).isEqualTo("owner lost");
                assertThat(after.getList("timeline")).as("nor into the run").hasSize(events);
                assertThat(replicas.admin(b).get("/api/v1/runs/" + id + "/samples").then().extract().jsonPath().getList("$"))
                        .hasSize(samples);
                assertThat(a.log()).contains("was taken over by another instance");
                report("owner frozen (SIGSTOP) past the owner timeout", Duration.ofNanos(gone - frozen),
                        "removed by the other instance; the woken owner wrote nothing");
            } finally {
                a.resume();
            }
        }
    }

    @Test
    void aTeamsOwnRouteNamedLikeFaultlinesSurvivesTheReconcilerAndTheKillSwitch() throws Exception {
        GenericKubernetesResource reviews = replicas.mesh().client().genericKubernetesResources(IstioFixtures.VIRTUAL_SERVICES)
                .inNamespace("bookinfo").withName("reviews").get();
        JsonNode json = replicas.mesh().client().getKubernetesSerialization().convertValue(reviews, JsonNode.class);
        ObjectNode own = ((ArrayNode) json.path("spec").path("http")).insertObject(0);
        own.put("name", "faultline-ui");
        own.putArray("match").addObject().putObject("headers").putObject("x-ui").put("exact", "new");
        own.putArray("route").addObject().putObject("destination").put("host", "reviews").put("subset", "v2");
        replicas.mesh().client().genericKubernetesResources(IstioFixtures.VIRTUAL_SERVICES).inNamespace("bookinfo")
                .resource(replicas.mesh().client().getKubernetesSerialization().convertValue(json, GenericKubernetesResource.class)).update();
        JsonNode before = replicas.mesh().reviews().path("spec");

        try (PackagedServer server = replicas.start("solo", Map.of("faultline.run.reconcile-interval", "PT1S"))) {
            TimeUnit.SECONDS.sleep(3);
            assertThat(replicas.mesh().reviews().path("spec")).as("after start-up and a few sweeps").isEqualTo(before);
            replicas.admin(server).contentType(ContentType.JSON).body(Map.of("reason", "drill")).post("/api/v1/halt").then().statusCode(200)
                    .body("rulesRemoved", org.hamcrest.Matchers.equalTo(0));
            assertThat(replicas.mesh().reviews().path("spec")).as("after the kill switch").isEqualTo(before);
        }
    }

    @Test
    void aRuleLeftInANamespaceThePolicyNoLongerAllowsIsSwept() {
        try (PackagedServer first = replicas.start("first")) {
            replicas.experiment(first, "brief", "1s", "");
            String id = replicas.run(first, "brief");
            first.awaitRunState(replicas.admin(first), id, "COMPLETED");
        }
        writeStrayRule("reviews", "strayrun", "2099-01-01T00:00:00Z");
        assertThat(replicas.reviewsAsSeeded()).isFalse();

        try (PackagedServer later = replicas.start("later", Map.of("faultline.policy.allowed-namespaces", "elsewhere"))) {
            assertThat(replicas.reviewsAsSeeded()).as("swept before ready, although bookinfo is no longer allowed").isTrue();
            assertThat(later.log()).contains("its run strayrun is unknown");
        }
    }

    @Test
    void aKubernetesApiFailingForTwentySecondsDuringRemovalHasTheRuleRemovedWhenItRecovers() throws Exception {
        try (PackagedServer server = replicas.start("solo")) {
            replicas.experiment(server, "api-trouble", "10m", "");
            String id = replicas.run(server, "api-trouble");
            server.awaitRunState(replicas.admin(server), id, "OBSERVING");

            replicas.mesh().cluster().expect().put().withPath(VS_PATH).andReturn(500, "{}").always();
            Thread abort = Thread.ofVirtual().start(() -> replicas.admin(server).contentType(ContentType.JSON).body("{}")
                    .post("/api/v1/runs/" + id + "/abort"));
            TimeUnit.SECONDS.sleep(10);
            replicas.mesh().cluster().clearExpectations();
            replicas.mesh().cluster().expect().put().delay(20, TimeUnit.SECONDS).withPath(VS_PATH).andReturn(200, "{}").always();
            TimeUnit.SECONDS.sleep(10);
            assertThat(replicas.ruleLive(id)).as("500s for 10 s, then no answer for 10 s").isTrue();
            replicas.mesh().cluster().clearExpectations();
            long recovered = System.nanoTime();
            long gone = awaitNanos(() -> !replicas.ruleLive(id), Duration.ofSeconds(30));
            abort.join(Duration.ofSeconds(30));
            server.awaitRunState(replicas.admin(server), id, "ABORTED");
            JsonPath run = read(server, id);
            assertThat(run.getString("reason")).isEqualTo("aborted by admin");
            assertThat(run.getList("rules.removedAt")).doesNotContainNull();
            report("Kubernetes API answering 500s, then nothing, for 20 s during removal", Duration.ofNanos(gone - recovered),
                    "after the API recovered");
        }
    }

    @Test
    void someoneElseRemovingTheRuleFailsTheRunWithoutAFightAndAnOwnerLostAbortIsNotified() throws Exception {
        try (WebhookReceiver slack = new WebhookReceiver()) {
            Map<String, String> channel = Map.of("faultline.notify.slack.ops.webhook-url", slack.url("/slack/ops").toString());
            try (PackagedServer a = replicas.start("replica-a", channel); PackagedServer b = replicas.start("replica-b", channel)) {
                replicas.experiment(a, "reverted", "10m", "notify: [ { channel: ops, \"on\": [aborted, failed] } ]");
                String id = replicas.run(a, "reverted");
                a.awaitRunState(replicas.admin(a), id, "OBSERVING");
                long reverted = System.nanoTime();
                JsonNode original = replicas.mesh().originalReviews();
                GenericKubernetesResource current = replicas.mesh().client().genericKubernetesResources(IstioFixtures.VIRTUAL_SERVICES)
                        .inNamespace("bookinfo").withName("reviews").get();
                ObjectNode synced = replicas.mesh().client().getKubernetesSerialization().convertValue(current, ObjectNode.class);
                synced.set("spec", original.path("spec").deepCopy()); // a GitOps sync back to what Git holds
                replicas.mesh().client().genericKubernetesResources(IstioFixtures.VIRTUAL_SERVICES).inNamespace("bookinfo")
                        .resource(replicas.mesh().client().getKubernetesSerialization().convertValue(synced, GenericKubernetesResource.class))
                        .update();
                a.awaitRunState(replicas.admin(a), id, "FAILED");
                Duration noticed = Duration.ofNanos(System.nanoTime() - reverted);
                assertThat(read(a, id).getString("reason")).startsWith("the fault was removed by someone else at ")
                        .endsWith("results after that are not the fault's");
                TimeUnit.SECONDS.sleep(2);
                assertThat(replicas.reviewsAsSeeded()).as("Faultline did not write its rule back").isTrue();
                report("someone else removed the rule (GitOps sync)", noticed, "run FAILED; the rule was not written back");

                replicas.experiment(a, "orphaned", "10m", "notify: [ops]");
                String orphan = replicas.run(a, "orphaned");
                a.awaitRunState(replicas.admin(a), orphan, "OBSERVING");
                a.kill();
                awaitNanos(() -> "ABORTED".equals(replicas.admin(b).get("/api/v1/runs/" + orphan).then().extract().path("state")),
                        Duration.ofSeconds(30));
                awaitNanos(() -> slack.received("/slack/ops").stream().map(WebhookReceiver.Received::body)
                        .anyMatch(body -> body.contains("orphaned ABORTED: owner lost")), Duration.ofSeconds(15));
                assertThat(slack.received("/slack/ops").stream().map(WebhookReceiver.Received::body))
                        .as("the drift failure reached Slack too").anyMatch(body -> body.contains("reverted FAILED: the fault was removed"));
            }
        }
    }

    @Test
    void withPrometheusDownEveryGuardrailCheckFailsAndTheRunAborts() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (PackagedServer server = replicas.start("solo", Map.of("faultline.metrics.prometheus-url", "http://127.0.0.1:" + closed))) {
            replicas.admin(server).contentType(TestApi.YAML).body(TestExperiments.aborting("reviews").named("blind").lasting("10m")
                    .promqlBelow("reviews error rate", "sum(rate(istio_requests_total[30s]))", 1000).yaml())
                    .put("/api/v1/experiments/blind").then().statusCode(201);
            String id = replicas.run(server, "blind");
            long started = System.nanoTime();
            server.awaitRunState(replicas.admin(server), id, "ABORTED");
            Duration toAbort = Duration.ofNanos(System.nanoTime() - started);
            assertThat(read(server, id).getString("reason")).startsWith("guardrail \"reviews error rate\" breached")
                    .contains("2 failed checks in a row");
            assertThat(replicas.reviewsAsSeeded()).isTrue();
            report("Prometheus down", toAbort, "from the start of the run to ABORTED, rule removed");
        }
    }

    /** Writes a Faultline rule of run {@code runId} into the VirtualService {@code name}, as a writer that crashed before recording it would have. */
    private void writeStrayRule(String name, String runId, String expiresAt) {
        GenericKubernetesResource vs = replicas.mesh().client().genericKubernetesResources(IstioFixtures.VIRTUAL_SERVICES)
                .inNamespace("bookinfo").withName(name).get();
        JsonNode json = replicas.mesh().client().getKubernetesSerialization().convertValue(vs, JsonNode.class);
        ObjectNode stray = ((ArrayNode) json.path("spec").path("http")).insertObject(0);
        stray.put("name", "faultline-" + runId);
        stray.putObject("fault").putObject("abort").put("httpStatus", 503).putObject("percentage").put("value", 100);
        stray.putArray("route").addObject().putObject("destination").put("host", name).put("subset", "v1");
        ((ObjectNode) json.path("metadata")).putObject("annotations").put("faultline.dev/run", runId)
                .put("faultline.dev/route", "faultline-" + runId).put("faultline.dev/expires-at", expiresAt)
                .put("faultline.dev/epoch", "1");
        replicas.mesh().client().genericKubernetesResources(IstioFixtures.VIRTUAL_SERVICES).inNamespace("bookinfo")
                .resource(replicas.mesh().client().getKubernetesSerialization().convertValue(json, GenericKubernetesResource.class)).update();
    }

    private JsonPath read(PackagedServer server, String id) {
        return JsonPath.from(replicas.admin(server).get("/api/v1/runs/" + id).then().statusCode(200).extract().asString());
    }

    /** Waits until {@code condition} holds; the System.nanoTime() at which it was first seen to. */
    private static long awaitNanos(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return System.nanoTime();
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("not within " + timeout);
    }

    private static void report(String scenario, Duration time, String note) {
        System.out.printf("SafetyUnderFaultsIT | %s | %d ms | %s%n", scenario, time.toMillis(), note);
    }
}

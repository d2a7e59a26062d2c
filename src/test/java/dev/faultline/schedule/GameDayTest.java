package dev.faultline.schedule;

import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

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
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * Game days end to end on the mock cluster: four-eyes approval, start by hand or at their time,
 * steps in order (some in parallel), a failed step stopping the rest, findings and actions.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(GameDayTest.Bookinfo.class)
class GameDayTest {

    public static class Bookinfo implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("faultline.policy.allowed-namespaces", "bookinfo", "faultline.run.settle-time", "PT0.1S");
        }
    }

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
        seed(server, database, users);
    }

    /** Bookinfo on the mock cluster, and the users and experiments game days are planned with here. */
    static void seed(KubernetesServer server, TestDatabase database, TestUsers users) {
        database.clear();
        IstioFixtures.seedOnce(server.getClient(), "bookinfo", "virtual-service-all-v1");
        users.create("gina", List.of("bookinfo", "elsewhere"), Role.EXPERIMENTER, Role.APPROVER);
        users.create("alex", List.of(), Role.APPROVER);
        users.create("pat", List.of(), Role.VIEWER);
        users.create("olly", List.of(), Role.VIEWER);
        experiment("reviews-delay", "bookinfo", "reviews");
        experiment("ratings-delay", "bookinfo", "ratings");
        experiment("forbidden-delay", "elsewhere", "reviews");
    }

    private static void experiment(String name, String namespace, String service) {
        save(asAdmin(), name, namespace, service, 10, "1s");
    }

    /** Creates or changes experiment {@code name} as {@code api}: a delay of {@code percentage} % of the service's calls, for {@code duration}. */
    static void save(RequestSpecification api, String name, String namespace, String service, int percentage, String duration) {
        api.contentType(TestApi.YAML).body("""
                apiVersion: faultline.dev/v1
                kind: Experiment
                metadata: { name: %s }
                spec:
                  target: { namespace: %s, service: %s }
                  faults: [ { delay: { fixedDelay: 1s, percentage: %d } } ]
                  duration: %s
                """.formatted(name, namespace, service, percentage, duration)).put("/api/v1/experiments/" + name).then()
                .statusCode(anyOf(equalTo(200), equalTo(201)));
    }

    static RequestSpecification gina() {
        return as("gina", TestUsers.password("gina"));
    }

    static RequestSpecification alex() {
        return as("alex", TestUsers.password("alex"));
    }

    static Map<String, Object> plan(String name, Instant startAt, List<Map<String, Object>> steps) {
        return Map.of("name", name, "title", "Game day " + name, "startAt", startAt.toString(), "participants", List.of("pat"),
                "steps", steps);
    }

    static JsonPath awaitEnd(String name) {
        return awaitEnd(GameDayTest::gina, name);
    }

    /** Waits up to 60 s for game day {@code name}, read through {@code api}, to end; the game day as it ended. */
    static JsonPath awaitEnd(Supplier<RequestSpecification> api, String name) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonPath day = null;
        while (System.nanoTime() < deadline) {
            day = JsonPath.from(api.get().get("/api/v1/gamedays/" + name).then().statusCode(200).extract().asString());
            if (List.of("COMPLETED", "FAILED", "CANCELLED").contains(day.getString("state"))) {
                return day;
            }
            sleep(200);
        }
        throw new AssertionError("game day " + name + " did not end: " + (day == null ? "" : day.prettify()));
    }

    @Test
    void anUnapprovedGameDayDoesNotStartAndNobodyApprovesTheirOwn() {
        Map<String, Object> plan = plan("q4", Instant.now().plusSeconds(3600), List.of(Map.of("experiment", "reviews-delay")));
        gina().contentType(ContentType.JSON).body(plan).post("/api/v1/gamedays").then().statusCode(201)
                .body("state", equalTo("PLANNED")).body("approval", nullValue());

        gina().post("/api/v1/gamedays/q4/start").then().statusCode(409).body("detail", containsString("is not approved"));
        gina().post("/api/v1/gamedays/q4/approve").then().statusCode(403).body("detail", containsString("four eyes: gina created"));
        as("pat", TestUsers.password("pat")).post("/api/v1/gamedays/q4/approve").then().statusCode(403);

        alex().post("/api/v1/gamedays/q4/approve").then().statusCode(200).body("state", equalTo("APPROVED"))
                .body("approval.by", equalTo("alex"));
        gina().contentType(ContentType.JSON).body(plan).put("/api/v1/gamedays/q4").then().statusCode(200)
                .body("state", equalTo("PLANNED")).body("approval", nullValue())
                .body("reason", equalTo("changed after approval; awaiting approval again"));
        gina().post("/api/v1/gamedays/q4/start").then().statusCode(409);
        alex().post("/api/v1/gamedays/q4/approve").then().statusCode(200);

        asAdmin().contentType(ContentType.JSON).body(plan).put("/api/v1/gamedays/q4").then().statusCode(200);
        asAdmin().post("/api/v1/gamedays/q4/approve").then().statusCode(403).body("detail", containsString("admin last changed"));
    }

    @Test
    void aFailedStepStopsTheRest() {
        gina().contentType(ContentType.JSON).body(plan("stops", Instant.now().plusSeconds(3600), List.of(
                Map.of("experiments", List.of("reviews-delay", "ratings-delay")),
                Map.of("experiment", "forbidden-delay"),
                Map.of("experiment", "reviews-delay")))).post("/api/v1/gamedays").then().statusCode(201);
        alex().post("/api/v1/gamedays/stops/approve").then().statusCode(200);
        gina().post("/api/v1/gamedays/stops/start").then().statusCode(200).body("state", equalTo("RUNNING"));

        JsonPath day = awaitEnd("stops");
        assertThat(day.getString("state")).isEqualTo("FAILED");
        assertThat(day.getString("reason")).startsWith("step 2: forbidden-delay ended CANCELLED")
                .endsWith("the 1 step after it was not run");
        assertThat(day.getList("progress.step", Integer.class)).containsExactly(1, 1, 2);
        assertThat(day.getList("progress.experiment")).containsExactly("reviews-delay", "ratings-delay", "forbidden-delay");
        assertThat(day.getList("progress.outcome")).containsExactly("COMPLETED", "COMPLETED", "CANCELLED");
        for (String run : day.getList("progress.run", String.class)) {
            asAdmin().get("/api/v1/runs/" + run).then().body("startedBy", equalTo("gameday:stops"));
        }
        gina().post("/api/v1/gamedays/stops/start").then().statusCode(409);
    }

    @Test
    void aStepMarkedContinueOnFailureLetsTheNextOneRun() {
        gina().contentType(ContentType.JSON).body(plan("goes-on", Instant.now().plusSeconds(3600), List.of(
                Map.of("experiment", "forbidden-delay", "continueOnFailure", true),
                Map.of("experiment", "reviews-delay")))).post("/api/v1/gamedays").then().statusCode(201);
        alex().post("/api/v1/gamedays/goes-on/approve").then().statusCode(200);
        gina().post("/api/v1/gamedays/goes-on/start").then().statusCode(200);

        JsonPath day = awaitEnd("goes-on");
        assertThat(day.getList("progress.outcome")).containsExactly("CANCELLED", "COMPLETED");
        assertThat(day.getString("state")).isEqualTo("FAILED");
        assertThat(day.getString("reason")).endsWith("every step ran (continueOnFailure)");
    }

    @Test
    void anApprovedGameDayStartsAtItsTimeAndAnUnapprovedOneIsCancelled() {
        gina().contentType(ContentType.JSON).body(plan("on-time", Instant.now().plusSeconds(3), List.of(Map.of("experiment", "reviews-delay"))))
                .post("/api/v1/gamedays").then().statusCode(201);
        gina().contentType(ContentType.JSON).body(plan("unsigned", Instant.now().plusSeconds(3), List.of(Map.of("experiment", "ratings-delay"))))
                .post("/api/v1/gamedays").then().statusCode(201);
        alex().post("/api/v1/gamedays/on-time/approve").then().statusCode(200);

        JsonPath onTime = awaitEnd("on-time");
        assertThat(onTime.getString("state")).isEqualTo("COMPLETED");
        assertThat(onTime.getString("reason")).isEqualTo("every step completed");
        assertThat(Instant.parse(onTime.getString("startedAt"))).isAfterOrEqualTo(Instant.parse(onTime.getString("startAt")));
        JsonPath unsigned = awaitEnd("unsigned");
        assertThat(unsigned.getString("state")).isEqualTo("CANCELLED");
        assertThat(unsigned.getString("reason")).startsWith("not approved by its start time");
        assertThat(unsigned.getList("progress")).isEmpty();
    }

    @Test
    void participantsRecordFindingsAndActionsOthersCannot() {
        gina().contentType(ContentType.JSON).body(plan("retro", Instant.now().plusSeconds(3600), List.of(Map.of("experiment", "reviews-delay"))))
                .post("/api/v1/gamedays").then().statusCode(201);
        RequestSpecification pat = as("pat", TestUsers.password("pat"));
        pat.contentType(ContentType.JSON).body(Map.of("text", "reviews retried too eagerly")).post("/api/v1/gamedays/retro/findings")
                .then().statusCode(201).body("author", equalTo("pat"));
        long action = gina().contentType(ContentType.JSON).body(Map.of("text", "cap retries at 2", "owner", "pat", "due", "2026-12-31"))
                .post("/api/v1/gamedays/retro/actions").then().statusCode(201).extract().jsonPath().getLong("id");
        pat.contentType(ContentType.JSON).body(Map.of("done", true)).patch("/api/v1/gamedays/retro/actions/" + action).then()
                .statusCode(200).body("done", equalTo(true));
        as("olly", TestUsers.password("olly")).contentType(ContentType.JSON).body(Map.of("text", "drive-by"))
                .post("/api/v1/gamedays/retro/findings").then().statusCode(403);
        pat.contentType(ContentType.JSON).body(Map.of("text", "x", "due", "next week")).post("/api/v1/gamedays/retro/actions").then()
                .statusCode(400).body("errors[0].path", equalTo("due"));

        JsonPath day = JsonPath.from(gina().get("/api/v1/gamedays/retro").then().extract().asString());
        assertThat(day.getList("findings.text")).containsExactly("reviews retried too eagerly");
        assertThat(day.getString("actions[0].due")).isEqualTo("2026-12-31");
        assertThat(day.getBoolean("actions[0].done")).isTrue();
    }

    @Test
    void badPlansAreRefusedNamingEachField() {
        gina().contentType(ContentType.JSON).body(Map.of("name", "bad", "startAt", "tomorrow", "participants", List.of("nobody-here"),
                "steps", List.of(Map.of("experiment", "no-such-experiment"), Map.of("experiment", "a", "experiments", List.of("b"))),
                "colour", "red"))
                .post("/api/v1/gamedays").then().statusCode(400)
                .body("errors.path", equalTo(List.of("title", "startAt", "steps[1]", "colour")));
        gina().contentType(ContentType.JSON).body(Map.of("name", "bad", "title", "t", "startAt", "2026-12-01T10:00",
                "timeZone", "Europe/Paris", "participants", List.of("nobody-here"), "steps", List.of(Map.of("experiment", "no-such-experiment"))))
                .post("/api/v1/gamedays").then().statusCode(400)
                .body("errors.path", equalTo(List.of("steps[0]", "participants[0]")));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.faultline.schedule;

import static dev.faultline.schedule.GameDayTest.alex;
import static dev.faultline.schedule.GameDayTest.awaitEnd;
import static dev.faultline.schedule.GameDayTest.gina;
import static dev.faultline.schedule.GameDayTest.plan;
import static dev.faultline.testing.TestApi.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * What a game day's approval covers, as its planner, its approver and an admin see it through the
 * API on the mock cluster: the revision of every experiment it runs. A newer revision takes the
 * approval back (when saved, and at the start should that have been missed); the steps run exactly
 * the revisions approved; and it starts only for a creator who may still run them.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(GameDayTest.Bookinfo.class)
class GameDayApprovalTest {

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
        GameDayTest.seed(server, database, users);
    }

    /** Gina saves a new revision of {@code name}: its delay now hits {@code percentage} % of the calls to {@code service}. */
    private static void change(String name, String service, int percentage) {
        GameDayTest.save(gina(), name, "bookinfo", service, percentage, "1s");
    }

    private static void planAndApprove(String name, Instant startAt, List<Map<String, Object>> steps) {
        gina().contentType(ContentType.JSON).body(plan(name, startAt, steps)).post("/api/v1/gamedays").then().statusCode(201);
        alex().post("/api/v1/gamedays/" + name + "/approve").then().statusCode(200).body("state", equalTo("APPROVED"));
    }

    private static JsonPath run(String id) {
        return JsonPath.from(asAdmin().get("/api/v1/runs/" + id).then().statusCode(200).extract().asString());
    }

    @Test
    void aChangedExperimentDoesNotRunUnderTheOldApprovalAndRunsItsNewRevisionOnceApprovedAgain() {
        gina().contentType(ContentType.JSON).body(plan("pinned", Instant.now().plusSeconds(3600), List.of(Map.of("experiment", "reviews-delay"))))
                .post("/api/v1/gamedays").then().statusCode(201);
        alex().post("/api/v1/gamedays/pinned/approve").then().statusCode(200).body("approval.revisions.'reviews-delay'", equalTo(1));

        change("reviews-delay", "reviews", 100);
        String why = "experiment reviews-delay changed after approval (revision 1 approved, now 2)";
        gina().get("/api/v1/gamedays/pinned").then().statusCode(200).body("state", equalTo("PLANNED")).body("approval", nullValue())
                .body("reason", equalTo(why + "; awaiting approval again"));
        gina().post("/api/v1/gamedays/pinned/start").then().statusCode(409).contentType(TestApi.PROBLEM)
                .body("type", equalTo("https://faultline.dev/problems/conflict")).body("detail", containsString(why));

        alex().post("/api/v1/gamedays/pinned/approve").then().statusCode(200).body("approval.revisions.'reviews-delay'", equalTo(2));
        gina().post("/api/v1/gamedays/pinned/start").then().statusCode(200).body("state", equalTo("RUNNING"));
        JsonPath day = awaitEnd("pinned");
        assertThat(day.getString("state")).isEqualTo("COMPLETED");
        JsonPath ran = run(day.getString("progress[0].run"));
        assertThat(ran.getInt("revision")).isEqualTo(2);
        assertThat(ran.getDouble("document.spec.faults[0].delay.percentage")).isEqualTo(100);
    }

    @Test
    void deletingAnExperimentTakesTheApprovalBackAndNoneCanBeGivenWithoutIt() {
        planAndApprove("orphaned", Instant.now().plusSeconds(3600), List.of(Map.of("experiment", "ratings-delay")));

        asAdmin().delete("/api/v1/experiments/ratings-delay").then().statusCode(204);
        gina().get("/api/v1/gamedays/orphaned").then().body("state", equalTo("PLANNED"))
                .body("reason", equalTo("experiment ratings-delay was deleted after approval (revision 1 approved); awaiting approval again"));
        alex().post("/api/v1/gamedays/orphaned/approve").then().statusCode(409)
                .body("detail", containsString("runs experiment ratings-delay, which does not exist any more"));
    }

    /**
     * An instance of the previous version, during a rolling upgrade, saves experiments without taking
     * approvals back; the start, by hand or at its time, still finds the newer revision.
     */
    @Test
    void aChangeTheSaveDidNotCatchIsCaughtWhenTheGameDayStarts() {
        planAndApprove("by-hand", Instant.now().plusSeconds(3600), List.of(Map.of("experiment", "reviews-delay")));
        planAndApprove("on-time", Instant.now().plusSeconds(5), List.of(Map.of("experiment", "reviews-delay")));
        database.execute("update experiment set revision = 2 where name = 'reviews-delay'");
        database.execute("insert into experiment_revision (experiment_name, revision, change, document, changed_at, changed_by) "
                + "select name, 2, 'UPDATED', document, now(), 'older-replica' from experiment where name = 'reviews-delay'");

        String why = "experiment reviews-delay changed after approval (revision 1 approved, now 2)";
        gina().get("/api/v1/gamedays/by-hand").then().body("state", equalTo("APPROVED"));
        gina().post("/api/v1/gamedays/by-hand/start").then().statusCode(409).body("detail", containsString(why));
        gina().get("/api/v1/gamedays/by-hand").then().body("state", equalTo("PLANNED")).body("reason", equalTo(why + "; awaiting approval again"))
                .body("progress", equalTo(List.of()));

        JsonPath onTime = awaitEnd("on-time");
        assertThat(onTime.getString("state")).isEqualTo("CANCELLED");
        assertThat(onTime.getString("reason")).startsWith("not approved by its start time").contains(why);
        assertThat(onTime.getList("progress")).isEmpty();
        assertThat(JsonPath.from(asAdmin().get("/api/v1/runs?experiment=reviews-delay").then().extract().asString()).getList("$")).isEmpty();
    }

    @Test
    void eachStepRunsTheRevisionApprovedEvenWhenItsExperimentChangesWhileTheGameDayRuns() {
        GameDayTest.save(asAdmin(), "slow-delay", "bookinfo", "details", 10, "4s");
        planAndApprove("steady", Instant.now().plusSeconds(3600), List.of(Map.of("experiment", "slow-delay"),
                Map.of("experiment", "ratings-delay")));
        gina().post("/api/v1/gamedays/steady/start").then().statusCode(200).body("state", equalTo("RUNNING"));

        change("ratings-delay", "ratings", 100);
        Instant changedAt = Instant.parse(asAdmin().get("/api/v1/experiments/ratings-delay/revisions/2").then().statusCode(200).extract()
                .path("changedAt"));
        JsonPath day = awaitEnd("steady");
        assertThat(day.getString("state")).isEqualTo("COMPLETED");
        JsonPath second = run(day.getString("progress[1].run"));
        assertThat(Instant.parse(second.getString("createdAt"))).as("step 2 started after the change").isAfter(changedAt);
        assertThat(second.getInt("revision")).isEqualTo(1);
        Map<String, Object> approved = JsonPath.from(asAdmin().get("/api/v1/experiments/ratings-delay/revisions/1").then().statusCode(200)
                .extract().asString()).getMap("experiment");
        assertThat(second.<String, Object> getMap("document")).isEqualTo(approved);
    }

    @Test
    void aGameDayWhoseCreatorWasDisabledIsRefusedAtItsStartTimeAndByHand() {
        Instant since = Instant.now();
        planAndApprove("abandoned", Instant.now().plusSeconds(4), List.of(Map.of("experiment", "reviews-delay")));
        asAdmin().contentType(ContentType.JSON).body(Map.of("disabled", true)).patch("/api/v1/users/gina").then().statusCode(200);

        asAdmin().post("/api/v1/gamedays/abandoned/start").then().statusCode(403).body("detail", equalTo("creator gina is disabled"));
        JsonPath day = awaitEnd(TestApi::asAdmin, "abandoned");
        assertThat(day.getString("state")).isEqualTo("CANCELLED");
        assertThat(day.getString("reason")).isEqualTo("refused at its start time: creator gina is disabled");
        assertThat(day.getList("progress")).isEmpty();
        assertThat(JsonPath.from(asAdmin().get("/api/v1/runs?experiment=reviews-delay").then().extract().asString()).getList("$")).isEmpty();
        Map<String, Object> entry = JsonPath.from(asAdmin().queryParam("actor", "gameday:abandoned").queryParam("operation", "gameday.start")
                .queryParam("from", since.toString()).get("/api/v1/audit").then().statusCode(200).extract().asString()).getMap("[0]");
        assertThat(entry).containsEntry("via", "gameday").containsEntry("outcome", "DENIED").containsEntry("detail", "creator gina is disabled");
    }

    @Test
    void aStepAfterTheCreatorLostTheGrantDoesNotStart() {
        GameDayTest.save(asAdmin(), "slow-delay", "bookinfo", "details", 10, "4s");
        planAndApprove("revoked", Instant.now().plusSeconds(3600), List.of(Map.of("experiment", "slow-delay"),
                Map.of("experiment", "ratings-delay")));
        gina().post("/api/v1/gamedays/revoked/start").then().statusCode(200);
        asAdmin().contentType(ContentType.JSON).body(Map.of("namespaces", List.of("elsewhere"))).patch("/api/v1/users/gina").then()
                .statusCode(200);

        JsonPath day = awaitEnd(TestApi::asAdmin, "revoked");
        assertThat(day.getString("state")).isEqualTo("FAILED");
        assertThat(day.getList("progress.outcome")).containsExactly("COMPLETED", "NOT_STARTED");
        assertThat(day.getString("progress[1].detail"))
                .isEqualTo("could not start: creator gina no longer holds a grant for namespace bookinfo");
    }

}

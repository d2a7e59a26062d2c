package dev.faultline.security;

import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.testing.AuditEntries;
import dev.faultline.testing.Examples;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestSecrets;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class AuditLogTest {

    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;
    @Inject
    ExperimentService experiments;

    private Instant testStart;

    @BeforeAll
    static void yaml() {
        TestApi.sendYamlAsText();
    }

    @BeforeEach
    void clean() {
        database.clear();
        users.create("carol", List.of("bookinfo"), Role.EXPERIMENTER);
        users.create("vic", List.of("bookinfo"), Role.VIEWER);
        testStart = Instant.now();
    }

    @Test
    void aSuccessfulMutationRecordsWhoWhatWhenWhereAndOutcome() {
        as("carol", TestUsers.password("carol")).contentType(TestApi.YAML).body(Examples.yaml("reviews-v2-latency"))
                .post("/api/v1/experiments").then().statusCode(201);

        Map<String, Object> entry = awaitEntry("actor=carol", e -> "POST".equals(e.get("method")));

        assertThat(entry).containsEntry("via", "api")
                .containsEntry("signedInWith", "password")
                .containsEntry("operation", "experiment.create")
                .containsEntry("path", "/api/v1/experiments")
                .containsEntry("target", "experiment/reviews-v2-latency")
                .containsEntry("status", 201)
                .containsEntry("outcome", "SUCCEEDED")
                .containsEntry("source", "127.0.0.1")
                .containsEntry("detail", null);
        assertThat(Instant.parse((String) entry.get("at"))).isBetween(testStart.minusSeconds(1), Instant.now());
    }

    @Test
    void rejectedDeniedAndAnonymousAttemptsAreRecordedWithTheirReason() {
        as("carol", TestUsers.password("carol")).contentType(ContentType.JSON)
                .body(Map.of("apiVersion", "faultline.dev/v1", "kind", "Experiment", "metadata", Map.of("name", "Bad Name")))
                .post("/api/v1/experiments").then().statusCode(400);
        as("vic", TestUsers.password("vic")).delete("/api/v1/experiments/anything").then().statusCode(403);
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/experiments").then().statusCode(401);
        as("carol", "wrong-password-123").delete("/api/v1/experiments/x").then().statusCode(401);

        Map<String, Object> rejected = awaitEntry("actor=carol&outcome=REJECTED", e -> true);
        assertThat(rejected.get("status")).isEqualTo(400);
        assertThat(rejected.get("operation")).as("refused while reading the body, before any feature saw it").isNull();
        assertThat((String) rejected.get("detail")).contains("metadata.name");

        Map<String, Object> denied = awaitEntry("actor=vic", e -> true);
        assertThat(denied).containsEntry("outcome", "DENIED").containsEntry("status", 403).containsEntry("method", "DELETE")
                .containsEntry("target", "/api/v1/experiments/anything");

        awaitEntry("outcome=DENIED&path=/api/v1/experiments", e -> e.get("actor") == null && "no credentials".equals(e.get("detail")));
        awaitEntry("outcome=DENIED&method=DELETE", e -> e.get("actor") == null
                && "the credentials were not accepted".equals(e.get("detail")) && "/api/v1/experiments/x".equals(e.get("path")));
    }

    @Test
    void tokenActionsNameTheTokenOwnerAndTheWayIn() {
        String token = TestSecrets.remember(as("carol", TestUsers.password("carol")).contentType(ContentType.JSON)
                .body(Map.of("name", "ci", "expiresIn", "1d")).post("/api/v1/tokens")
                .then().statusCode(201).extract().path("token"));

        given().header("Authorization", "Bearer " + token).contentType(TestApi.YAML).body(Examples.yaml("reviews-v2-latency"))
                .put("/api/v1/experiments/reviews-v2-latency").then().statusCode(201);

        Map<String, Object> entry = awaitEntry("actor=carol&method=PUT", e -> true);
        assertThat(entry).containsEntry("via", "api").containsEntry("signedInWith", "token")
                .containsEntry("operation", "experiment.apply").containsEntry("outcome", "SUCCEEDED");
        assertThat(entry.toString()).doesNotContain(token);
    }

    @Test
    void aGrantRefusedByTheFeatureIsRecordedUnderItsOperation() {
        as("carol", TestUsers.password("carol")).contentType(TestApi.YAML)
                .body(Examples.yaml("reviews-v2-latency").replace("namespace: bookinfo", "namespace: payments"))
                .post("/api/v1/experiments").then().statusCode(403);

        Map<String, Object> entry = awaitEntry("operation=experiment.&actor=carol", e -> true);
        assertThat(entry).containsEntry("operation", "experiment.create").containsEntry("outcome", "DENIED")
                .containsEntry("status", 403).containsEntry("target", "experiment/reviews-v2-latency").containsEntry("via", "api");
        assertThat((String) entry.get("detail")).contains("no grant for namespace payments");
    }

    @Test
    void theSameOperationThroughTheBrowserIsRecordedAsTheBrowsersWithoutARequest() {
        Caller inBrowser = new Caller("carol", Set.of(Role.EXPERIMENTER), List.of("bookinfo"), "password", Caller.Via.UI, "10.1.2.3");
        experiments.create(inBrowser, ExperimentCodec.decode(Examples.yaml("reviews-v2-latency"), DocumentFormat.YAML));
        assertThatThrownBy(() -> experiments.delete(new Caller("vic", Set.of(Role.VIEWER), List.of("bookinfo"), "password",
                Caller.Via.UI, "10.1.2.4"), "reviews-v2-latency")).isInstanceOf(io.quarkus.security.ForbiddenException.class);

        assertThat(awaitEntry("via=ui&actor=carol", e -> true)).containsEntry("operation", "experiment.create")
                .containsEntry("target", "experiment/reviews-v2-latency").containsEntry("method", null).containsEntry("path", null)
                .containsEntry("status", 200).containsEntry("outcome", "SUCCEEDED").containsEntry("source", "10.1.2.3");
        assertThat(awaitEntry("via=ui&actor=vic", e -> true)).containsEntry("operation", "experiment.delete")
                .containsEntry("outcome", "DENIED").containsEntry("status", 403);
    }

    @Test
    void readsAreNotRecorded() {
        as("vic", TestUsers.password("vic")).get("/api/v1/experiments").then().statusCode(200);
        as("vic", TestUsers.password("vic")).contentType(ContentType.JSON).body(Map.of("name", "x", "expiresIn", "1d"))
                .post("/api/v1/tokens").then().statusCode(201);

        List<Map<String, Object>> entries = awaitEntries("actor=vic", list -> !list.isEmpty());
        assertThat(entries).extracting(e -> e.get("method")).containsOnly("POST");
    }

    @Test
    void filtersNarrowAndPagesFollowEachOther() {
        for (int i = 0; i < 3; i++) {
            as("carol", TestUsers.password("carol")).delete("/api/v1/experiments/gone-" + i).then().statusCode(404);
        }
        List<Map<String, Object>> all = awaitEntries("actor=carol&outcome=REJECTED", list -> list.size() == 3);
        assertThat(all).extracting(e -> e.get("path"))
                .containsExactly("/api/v1/experiments/gone-2", "/api/v1/experiments/gone-1", "/api/v1/experiments/gone-0");

        List<Map<String, Object>> firstPage = search("actor=carol&limit=2&from=" + testStart);
        Object lastId = firstPage.get(1).get("id");
        List<Map<String, Object>> secondPage = search("actor=carol&limit=2&from=" + testStart + "&before=" + lastId);
        assertThat(firstPage).hasSize(2);
        assertThat(secondPage).extracting(e -> e.get("path")).containsExactly("/api/v1/experiments/gone-0");
        assertThat(search("actor=carol&from=" + testStart + "&to=" + all.get(1).get("at"))).extracting(e -> e.get("path"))
                .containsExactly("/api/v1/experiments/gone-0");
        assertThat(search("actor=carol&from=" + testStart + "&path=/api/v1/experiments/gone-1")).hasSize(1);
        assertThat(search("actor=carol&outcome=succeeded&from=" + testStart)).isEmpty();
    }

    @Test
    void badFiltersAreNamed() {
        asAdmin().get("/api/v1/audit?outcome=maybe&from=yesterday&limit=0").then().statusCode(400)
                .body("errors.path", hasItem("outcome"))
                .body("errors.path", hasItem("from"))
                .body("errors.path", hasItem("limit"));
    }

    @Test
    void onlyAdminsReadTheLogAndNobodyCanEditIt() {
        as("carol", TestUsers.password("carol")).get("/api/v1/audit").then().statusCode(403);
        asAdmin().delete("/api/v1/audit").then().statusCode(405);
        asAdmin().contentType(ContentType.JSON).body("{}").put("/api/v1/audit").then().statusCode(405);
        awaitEntry("actor=admin&path=/api/v1/audit", e -> "DELETE".equals(e.get("method")) && e.get("status").equals(405));

        assertThatThrownBy(() -> database.execute("update audit_entry set actor = 'someone-else'"))
                .hasStackTraceContaining("append-only");
        assertThatThrownBy(() -> database.execute("delete from audit_entry"))
                .hasStackTraceContaining("append-only");
        assertThatThrownBy(() -> database.execute("truncate audit_entry"))
                .hasStackTraceContaining("append-only");
        asAdmin().get("/api/v1/audit?limit=1").then().statusCode(200).body("size()", equalTo(1));
    }

    private static List<Map<String, Object>> search(String query) {
        return AuditEntries.search(query);
    }

    private List<Map<String, Object>> awaitEntries(String query, Predicate<List<Map<String, Object>>> done) {
        return AuditEntries.await(query, testStart, done);
    }

    private Map<String, Object> awaitEntry(String query, Predicate<Map<String, Object>> matches) {
        return AuditEntries.awaitEntry(query, testStart, matches);
    }
}

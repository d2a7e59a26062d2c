package dev.faultline.schedule;

import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.security.Role;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * A schedule fires for whoever created it: once carla is disabled or loses her grant for the
 * experiment's namespace, its fires (on Quartz, every two seconds) are refused with the reason, in
 * its history and in the audit log, and start no run.
 */
@QuarkusTest
class ScheduleAuthorsTest {

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
        users.create("carla", List.of("bookinfo"), Role.EXPERIMENTER);
        ScheduleTest.createNightlyReviews();
    }

    @Test
    void aScheduleWhoseCreatorWasDisabledFiresRefusedAndStartsNoRun() {
        Instant since = Instant.now();
        createEveryTwoSeconds("carlas-nightly");
        asAdmin().contentType(ContentType.JSON).body(Map.of("disabled", true)).patch("/api/v1/users/carla").then().statusCode(200);

        assertRefusedFrom("carlas-nightly", Instant.now().plusSeconds(1), "creator carla is disabled", since);
    }

    @Test
    void aScheduleWhoseCreatorLostTheGrantFiresRefusedAndStartsNoRun() {
        Instant since = Instant.now();
        createEveryTwoSeconds("carlas-hourly");
        asAdmin().contentType(ContentType.JSON).body(Map.of("namespaces", List.of("elsewhere"))).patch("/api/v1/users/carla").then()
                .statusCode(200);

        assertRefusedFrom("carlas-hourly", Instant.now().plusSeconds(1), "creator carla no longer holds a grant for namespace bookinfo",
                since);
    }

    private static void createEveryTwoSeconds(String name) {
        as("carla", TestUsers.password("carla")).contentType(ContentType.JSON).body(Map.of("name", name, "experiment", "nightly-reviews",
                "cron", "0/2 * * * * ?")).post("/api/v1/schedules").then().statusCode(201);
    }

    /**
     * Every fire due from {@code cutoff} on (after the change to carla) is refused with {@code reason}
     * and started no run, nor did anything else after it; the audit log has the refused start.
     */
    private static void assertRefusedFrom(String schedule, Instant cutoff, String reason, Instant since) {
        List<Map<String, Object>> fires = awaitFiresFrom(schedule, cutoff, 2);
        assertThat(fires).allSatisfy(fire -> assertThat(fire).containsEntry("refused", reason).doesNotContainKeys("run", "skipped"));
        List<String> runsStarted = JsonPath.from(asAdmin().get("/api/v1/runs?experiment=nightly-reviews").then().statusCode(200).extract()
                .asString()).getList("createdAt");
        assertThat(runsStarted).allSatisfy(createdAt -> assertThat(Instant.parse(createdAt)).isBefore(cutoff));

        Map<String, Object> entry = JsonPath.from(asAdmin().queryParam("actor", "schedule:" + schedule).queryParam("operation", "run.start")
                .queryParam("outcome", "DENIED").queryParam("from", since.toString()).get("/api/v1/audit").then().statusCode(200)
                .extract().asString()).getMap("[0]");
        assertThat(entry).containsEntry("via", "schedule").containsEntry("status", 403).containsEntry("target", "experiment/nightly-reviews")
                .containsEntry("detail", reason);
    }

    /** Waits until {@code count} fires of {@code schedule} due from {@code from} on have been handled; those fires. */
    private static List<Map<String, Object>> awaitFiresFrom(String schedule, Instant from, int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonPath view = null;
        while (System.nanoTime() < deadline) {
            view = JsonPath.from(asAdmin().get("/api/v1/schedules/" + schedule).then().statusCode(200).extract().asString());
            List<Map<String, Object>> handled = view.<Map<String, Object>> getList("history").stream()
                    .filter(fire -> !Instant.parse((String) fire.get("scheduledFor")).isBefore(from))
                    .filter(fire -> fire.get("run") != null || fire.get("skipped") != null || fire.get("refused") != null).toList();
            if (handled.size() >= count) {
                return handled;
            }
            ScheduleTest.sleep(200);
        }
        throw new AssertionError(schedule + " did not fire " + count + " times from " + from + ": " + view.prettify());
    }
}

package dev.faultline.schedule;

import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
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
import io.restassured.specification.RequestSpecification;

/**
 * Schedules through the API, firing for real on Quartz every two seconds: each fire starts a run
 * or records why not (blackout, outside the window, halted, target busy); pausing stops the fires.
 */
@QuarkusTest
class ScheduleTest {

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
        users.create("sam", List.of("bookinfo"), Role.EXPERIMENTER);
        createNightlyReviews();
    }

    /** The experiment the schedules here run: a delay of a tenth of the calls to reviews, for 5 s. */
    static void createNightlyReviews() {
        asAdmin().contentType(TestApi.YAML).body("""
                apiVersion: faultline.dev/v1
                kind: Experiment
                metadata: { name: nightly-reviews }
                spec:
                  target: { namespace: bookinfo, service: reviews }
                  faults: [ { delay: { fixedDelay: 1s, percentage: 10 } } ]
                  duration: 5s
                """).post("/api/v1/experiments").then().statusCode(201);
    }

    private static RequestSpecification sam() {
        return as("sam", TestUsers.password("sam"));
    }

    private static JsonPath schedule(String name) {
        return JsonPath.from(sam().get("/api/v1/schedules/" + name).then().statusCode(200).extract().asString());
    }

    /** Waits until the schedule has recorded {@code count} handled fires; its view then. */
    private static JsonPath awaitFires(String name, int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonPath view = schedule(name);
        while (System.nanoTime() < deadline) {
            view = schedule(name);
            List<Map<String, Object>> handled = view.getList("history.findAll { it.run != null || it.skipped != null }");
            if (handled.size() >= count) {
                return view;
            }
            sleep(200);
        }
        throw new AssertionError(name + " did not fire " + count + " times: " + view.prettify());
    }

    @Test
    void everyFireStartsARunShownInItsHistory() {
        sam().contentType(ContentType.JSON).body(Map.of("name", "every-two-seconds", "experiment", "nightly-reviews",
                "cron", "0/2 * * * * ?", "timeZone", "Europe/Paris")).post("/api/v1/schedules").then().statusCode(201)
                .body("nextFires.size()", equalTo(5)).body("timeZone", equalTo("Europe/Paris"));

        JsonPath view = awaitFires("every-two-seconds", 2);
        List<String> runIds = view.getList("history.findAll { it.run != null || it.skipped != null }.run");
        assertThat(runIds).doesNotContainNull();
        for (String runId : runIds) {
            asAdmin().get("/api/v1/runs/" + runId).then().statusCode(200).body("experiment", equalTo("nightly-reviews"))
                    .body("startedBy", equalTo("schedule:every-two-seconds"));
        }
        List<String> due = view.getList("nextFires.at");
        assertThat(Duration.between(Instant.parse(due.get(0)), Instant.parse(due.get(1)))).isEqualTo(Duration.ofSeconds(2));
        assertThat(Instant.parse(due.get(0))).isAfter(Instant.now().minusSeconds(1));
    }

    @Test
    void aBlackoutSkipsTheFiresAndSaysWhy() {
        Instant now = Instant.now();
        sam().contentType(ContentType.JSON).body(Map.of("experiment", "nightly-reviews", "cron", "0/2 * * * * ?",
                "blackouts", List.of(Map.of("from", now.minusSeconds(60).toString(), "to", now.plusSeconds(3600).toString(),
                        "reason", "change freeze"))))
                .put("/api/v1/schedules/frozen").then().statusCode(201)
                .body("nextFires[0].skipped", org.hamcrest.Matchers.startsWith("blackout: change freeze"));
        JsonPath view = awaitFires("frozen", 2);
        List<Map<String, Object>> handled = view.getList("history.findAll { it.skipped != null }");
        assertThat(handled).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(fire -> assertThat((String) fire.get("skipped")).startsWith("blackout: change freeze"));
        assertThat(view.getList("history.run")).containsOnlyNulls();
        assertThat(JsonPath.from(asAdmin().get("/api/v1/runs?experiment=nightly-reviews").then().extract().asString()).getList("$"))
                .isEmpty();
    }

    @Test
    void outsideItsWindowHaltedOrOnABusyTargetAFireStartsNothing() {
        DayOfWeek today = ZonedDateTime.now(ZoneOffset.UTC).getDayOfWeek();
        String otherDay = today.plus(3).name().substring(0, 3);
        sam().contentType(ContentType.JSON).body(Map.of("experiment", "nightly-reviews", "cron", "0/2 * * * * ?", "timeZone", "UTC",
                "window", Map.of("days", List.of(otherDay), "from", "00:00", "to", "23:59"))).put("/api/v1/schedules/weekly")
                .then().statusCode(201);
        assertThat(awaitFires("weekly", 1).getString("history.find { it.skipped != null }.skipped"))
                .isEqualTo("outside its window ([" + otherDay + "] 00:00–23:59 UTC)");
        sam().delete("/api/v1/schedules/weekly").then().statusCode(204);

        sam().contentType(ContentType.JSON).body(Map.of("reason", "incident")).post("/api/v1/halt").then().statusCode(200);
        sam().contentType(ContentType.JSON).body(Map.of("experiment", "nightly-reviews", "cron", "0/2 * * * * ?"))
                .put("/api/v1/schedules/during-halt").then().statusCode(201);
        assertThat(awaitFires("during-halt", 1).getString("history.find { it.skipped != null }.skipped")).isEqualTo("halted: incident");
        sam().delete("/api/v1/schedules/during-halt").then().statusCode(204);
        database.execute("update halt set halted = false, reason = null");

        database.execute("insert into run (id, experiment, revision, document, state, target_namespace, target_service, started_by, "
                + "created_at, owner, heartbeat_at) values ('busyrun00001', 'other', 1, '{}', 'OBSERVING', 'bookinfo', 'reviews', 'x', "
                + "now(), 'elsewhere', now() + interval '1 hour')");
        sam().contentType(ContentType.JSON).body(Map.of("experiment", "nightly-reviews", "cron", "0/2 * * * * ?"))
                .put("/api/v1/schedules/busy").then().statusCode(201);
        assertThat(awaitFires("busy", 1).getString("history.find { it.skipped != null }.skipped"))
                .isEqualTo("target busy: run busyrun00001 is live on reviews in bookinfo");
    }

    @Test
    void aPausedScheduleDoesNotFireUntilResumed() {
        sam().contentType(ContentType.JSON).body(Map.of("experiment", "nightly-reviews", "cron", "0/2 * * * * ?", "paused", true))
                .put("/api/v1/schedules/held").then().statusCode(201).body("paused", equalTo(true)).body("nextFires", equalTo(List.of()));
        sleep(4500);
        assertThat(schedule("held").getList("history")).isEmpty();
        sam().post("/api/v1/schedules/held/resume").then().statusCode(200).body("paused", equalTo(false));
        awaitFires("held", 1);
        sam().post("/api/v1/schedules/held/pause").then().statusCode(200);
        sleep(500); // a fire under way when pausing may still land
        int fired = schedule("held").getList("history").size();
        sleep(4500);
        assertThat(schedule("held").getList("history")).hasSize(fired);
    }

    @Test
    void badSchedulesAreRefusedNamingEachField() {
        sam().contentType(ContentType.JSON).body(Map.of("name", "Bad_Name", "experiment", "nightly-reviews", "cron", "every day",
                "timeZone", "Mars/Olympus", "window", Map.of("days", List.of("FUNDAY"), "from", "25:00", "to", "16:00"),
                "blackouts", List.of(Map.of("from", "2026-12-24", "to", "2026-12-20")), "jitter", "2h", "pused", true))
                .post("/api/v1/schedules").then().statusCode(400).contentType(TestApi.PROBLEM)
                .body("errors.path", equalTo(List.of("name", "timeZone", "cron", "window.days[0]", "window.from",
                        "blackouts[0].to", "jitter", "pused")))
                .body("errors.find { it.path == 'pused' }.message", startsWith("is not a known field (did you mean \"paused\"?); expected name, experiment, timeZone, cron, window"));
        sam().contentType(ContentType.JSON).body(Map.of("experiment", "no-such-experiment", "cron", "0 0 * * * ?"))
                .put("/api/v1/schedules/orphan").then().statusCode(400).body("errors[0].path", equalTo("experiment"));
        sam().contentType(ContentType.JSON).body(Map.of("name", "dup", "experiment", "nightly-reviews", "cron", "0 0 * * * ?"))
                .post("/api/v1/schedules").then().statusCode(201);
        sam().contentType(ContentType.JSON).body(Map.of("name", "dup", "experiment", "nightly-reviews", "cron", "0 0 * * * ?"))
                .post("/api/v1/schedules").then().statusCode(409);
        sam().get("/api/v1/schedules/nothing").then().statusCode(404);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

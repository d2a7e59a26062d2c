package dev.faultline.api;

import static dev.faultline.testing.TestApi.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.security.Role;
import dev.faultline.testing.AuditEntries;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestExperiments;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Every list pages with limit and before, following Link rel="next" until the last page, as a client would. */
@QuarkusTest
class PagingTest {

    private static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");

    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;

    @BeforeEach
    void clean() {
        TestApi.sendYamlAsText();
        database.clear();
    }

    @Test
    void experimentsComeByNameThreeAtATime() {
        for (int i = 7; i >= 1; i--) {
            storeExperiment("paged-" + i);
        }
        assertThat(walk("/api/v1/experiments?limit=3&team=paging", "metadata.name"))
                .containsExactly("paged-1", "paged-2", "paged-3", "paged-4", "paged-5", "paged-6", "paged-7");
    }

    @Test
    void runsComeNewestFirstWithTheFilterKept() {
        storeExperiment("paged-runs");
        storeExperiment("other-runs");
        List<String> started = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            started.addFirst(start("paged-runs"));
        }
        start("other-runs");
        assertThat(walk("/api/v1/runs?experiment=paged-runs&limit=3", "id")).containsExactlyElementsOf(started);
    }

    @Test
    void revisionsComeNewestFirst() {
        for (int i = 0; i < 7; i++) {
            storeExperiment("revised", (i + 1) + "m");
        }
        assertThat(walk("/api/v1/experiments/revised/revisions?limit=3", "revision")).containsExactly(7, 6, 5, 4, 3, 2, 1);
    }

    @Test
    void usersTokensSchedulesGameDaysAndSecretsPageToo() {
        for (int i = 1; i <= 7; i++) {
            users.create("pager-" + i, List.of("bookinfo"), Role.EXPERIMENTER);
        }
        assertThat(walk("/api/v1/users?limit=3", "username")).containsExactly("admin", "pager-1", "pager-2", "pager-3", "pager-4",
                "pager-5", "pager-6", "pager-7");

        for (int i = 1; i <= 7; i++) {
            asAdmin().contentType(ContentType.JSON).body(Map.of("name", "token-" + i, "expiresIn", "30d")).post("/api/v1/tokens").then().statusCode(201);
        }
        assertThat(walk("/api/v1/tokens?limit=3", "name")).containsExactly("token-1", "token-2", "token-3", "token-4", "token-5",
                "token-6", "token-7");

        storeExperiment("scheduled");
        for (int i = 1; i <= 7; i++) {
            asAdmin().contentType(ContentType.JSON).body(Map.of("name", "schedule-" + i, "experiment", "scheduled", "cron", "0 0 3 * * ?",
                    "paused", true)).post("/api/v1/schedules").then().statusCode(201);
            asAdmin().contentType(ContentType.JSON).body(Map.of("name", "day-" + i, "title", "Game day " + i, "startAt",
                    "2099-01-0" + i + "T10:00:00Z", "participants", List.of("pager-1"), "steps", List.of(Map.of("experiment", "scheduled"))))
                    .post("/api/v1/gamedays").then().statusCode(201);
        }
        assertThat(walk("/api/v1/schedules?limit=3", "name")).containsExactly("schedule-1", "schedule-2", "schedule-3", "schedule-4",
                "schedule-5", "schedule-6", "schedule-7");
        assertThat(walk("/api/v1/gamedays?limit=3", "name")).containsExactly("day-1", "day-2", "day-3", "day-4", "day-5", "day-6",
                "day-7");

        for (int i = 1; i <= 7; i++) {
            asAdmin().contentType(ContentType.JSON).body(Map.of("value", "Bearer paged-" + i, "hosts", List.of("example.com")))
                    .put("/api/v1/secrets/secret-" + i).then().statusCode(201);
        }
        assertThat(walk("/api/v1/secrets?limit=3", "name")).containsExactly("secret-1", "secret-2", "secret-3", "secret-4",
                "secret-5", "secret-6", "secret-7");
    }

    @Test
    void auditComesNewestFirstAndStillTakesTheLastIdSeen() {
        java.time.Instant since = java.time.Instant.now();
        for (int i = 1; i <= 7; i++) {
            storeExperiment("audited-" + i);
        }
        AuditEntries.await("path=/api/v1/experiments/audited-", since, entries -> entries.size() == 7);
        String query = "/api/v1/audit?path=/api/v1/experiments/audited-&limit=3&from=" + since;
        List<Object> ids = walk(query, "id");
        assertThat(ids).hasSize(7);
        assertThat(ids.stream().map(id -> ((Number) id).longValue()).toList()).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        asAdmin().get(query + "&before=" + ids.get(2)).then().statusCode(200).body("id", contains(ids.subList(3, 6).toArray()));
    }

    @Test
    void aLimitOutOfRangeOrACursorThatDoesNotReadBackIsRefusedAtItsField() {
        for (String list : List.of("/api/v1/experiments", "/api/v1/runs", "/api/v1/audit", "/api/v1/users", "/api/v1/tokens",
                "/api/v1/schedules", "/api/v1/gamedays", "/api/v1/channels", "/api/v1/secrets")) {
            for (String limit : List.of("0", "1001")) {
                asAdmin().get(list + "?limit=" + limit).then().statusCode(400).contentType(TestApi.PROBLEM).body("errors.path", contains("limit"));
            }
            asAdmin().get(list + "?before=garbage").then().statusCode(400).contentType(TestApi.PROBLEM).body("errors.path", contains("before"));
        }
    }

    /**
     * A run's samples come oldest first three at a time, each page after the last sample of the one before
     * (the cursor is in {@code after}); without a limit every sample, or with {@code after} every later one.
     */
    @Test
    void aRunsSamplesComeOldestFirstAfterTheLastOneSeen() {
        storeExperiment("sampled");
        String id = start("sampled");
        String other = start("sampled");
        database.storeSamples(id, 1, 4);
        database.storeSamples(other, 100, 2); // another run's samples in between: not in this run's list
        database.storeSamples(id, 5, 3);
        String samples = "/api/v1/runs/" + id + "/samples";
        List<Float> all = List.of(1f, 2f, 3f, 4f, 5f, 6f, 7f);

        assertThat(walk(samples + "?limit=3", "value")).containsExactlyElementsOf(all);
        Response whole = asAdmin().get(samples).then().statusCode(200).extract().response();
        assertThat(whole.jsonPath().getList("value", Float.class)).containsExactlyElementsOf(all);
        assertThat(whole.header("Link")).isNull();

        String link = asAdmin().get(samples + "?limit=3").then().statusCode(200).extract().header("Link");
        Matcher next = NEXT.matcher(link);
        assertThat(next.find()).isTrue();
        assertThat(next.group(1)).contains("after=").contains("limit=3").doesNotContain("before=");
        String after = next.group(1).replaceAll(".*[?&]after=([^&]+).*", "$1");
        Response rest = asAdmin().get(samples + "?after=" + after).then().statusCode(200).extract().response();
        assertThat(rest.jsonPath().getList("value", Float.class)).containsExactly(4f, 5f, 6f, 7f);
        assertThat(rest.header("Link")).isNull();
        asAdmin().get(samples + "?after=" + after + "&limit=2").then().statusCode(200).body("value", contains(4f, 5f))
                .header("Link", org.hamcrest.Matchers.containsString("limit=2"));
    }

    @Test
    void aSamplesLimitOutOfRangeOrACursorThatDoesNotReadBackIsRefusedAtItsField() {
        storeExperiment("sampled");
        String samples = "/api/v1/runs/" + start("sampled") + "/samples";
        for (String limit : List.of("0", "1001")) {
            asAdmin().get(samples + "?limit=" + limit).then().statusCode(400).contentType(TestApi.PROBLEM).body("errors.path", contains("limit"));
        }
        // garbage, and a cursor of another list (the runs', a time and an id)
        String runsCursor = dev.faultline.Cursor.of(java.time.Instant.now(), "abc").encode();
        for (String after : List.of("garbage", runsCursor)) {
            asAdmin().get(samples + "?after=" + after).then().statusCode(400).contentType(TestApi.PROBLEM).body("errors.path", contains("after"));
        }
        asAdmin().get(samples + "?after=garbage&limit=0").then().statusCode(400).body("errors.path", contains("limit", "after"));
        asAdmin().get("/api/v1/runs/nosuchrun/samples?limit=3").then().statusCode(404);
    }

    /** Every item of a list, page by page; each full page but the last links on, the last does not, and no item comes twice. */
    private static <T> List<T> walk(String first, String field) {
        List<T> seen = new ArrayList<>();
        String next = first;
        int pages = 0;
        while (next != null) {
            // the Link is sent as given, already encoded, as curl would
            Response page = asAdmin().urlEncodingEnabled(false).get(next).then().statusCode(200).contentType(ContentType.JSON).extract().response();
            List<T> items = page.jsonPath().getList(field);
            String link = page.header("Link");
            next = null;
            if (link != null) {
                Matcher matcher = NEXT.matcher(link);
                assertThat(matcher.find()).as("Link %s", link).isTrue();
                next = matcher.group(1);
                assertThat(items).as("a page that links on is full").hasSize(3);
            } else {
                assertThat(items).as("the last page").hasSizeBetween(1, 3);
            }
            seen.addAll(items);
            assertThat(++pages).isLessThan(10);
        }
        assertThat(seen).doesNotHaveDuplicates();
        return seen;
    }

    private static void storeExperiment(String name) {
        storeExperiment(name, "1m");
    }

    private static void storeExperiment(String name, String duration) {
        asAdmin().contentType(TestApi.YAML).body(TestExperiments.aborting("reviews").named(name).team("paging").lasting(duration).yaml())
                .put("/api/v1/experiments/" + name).then().statusCode(org.hamcrest.Matchers.anyOf(org.hamcrest.Matchers.is(200),
                        org.hamcrest.Matchers.is(201)));
    }

    /** A run that policy ends at PRECHECK at once (no namespace is allowed in this profile). */
    private static String start(String experiment) {
        return asAdmin().contentType(ContentType.JSON).body("{}").post("/api/v1/experiments/" + experiment + "/runs").then().statusCode(202)
                .extract().path("id");
    }
}

package dev.faultline.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.restassured.path.json.JsonPath;

/** The audit log as an admin reads it ({@code GET /api/v1/audit}), for tests that look for the entries they caused. */
public final class AuditEntries {

    private AuditEntries() {
    }

    /** The entries {@code query} (the URL's query string) finds, newest first. */
    public static List<Map<String, Object>> search(String query) {
        return JsonPath.from(TestApi.asAdmin().get("/api/v1/audit?" + query).then().statusCode(200).extract().asString()).getList("$");
    }

    /** Entries are written once the answer has gone out, so they may land a moment after it: waits up to 5 s for {@code done}. */
    public static List<Map<String, Object>> await(String query, Instant since, Predicate<List<Map<String, Object>>> done) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<Map<String, Object>> entries = search(query + "&from=" + since);
        while (!done.test(entries) && System.nanoTime() < deadline) {
            pause();
            entries = search(query + "&from=" + since);
        }
        assertThat(done.test(entries)).as("audit entries for %s: %s", query, entries).isTrue();
        return entries;
    }

    /** The newest entry since {@code since} that {@code query} finds and {@code matches} accepts, once there is one. */
    public static Map<String, Object> awaitEntry(String query, Instant since, Predicate<Map<String, Object>> matches) {
        return await(query, since, list -> list.stream().anyMatch(matches)).stream().filter(matches).findFirst().orElseThrow();
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

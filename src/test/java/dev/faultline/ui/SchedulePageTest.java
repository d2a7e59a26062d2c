package dev.faultline.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.security.Role;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The schedules page shows a fire refused because its creator was disabled, with the reason, where the run would be. */
@QuarkusTest
class SchedulePageTest extends BrowserTest {

    @BeforeEach
    void seed() {
        TestApi.sendYamlAsText();
        database.clear();
        users.create("carla", List.of("bookinfo"), Role.EXPERIMENTER);
        storeReviewsDelay();
    }

    @Test
    void aRefusedFireShowsWhyInTheHistory() {
        as("carla", TestUsers.password("carla")).contentType(ContentType.JSON).body(Map.of("name", "carlas-drill",
                "experiment", "reviews-delay", "cron", "0/2 * * * * ?")).post("/api/v1/schedules").then().statusCode(201);
        asAdmin().contentType(ContentType.JSON).body(Map.of("disabled", true)).patch("/api/v1/users/carla").then().statusCode(200);
        awaitRefusedFire("carlas-drill");

        signInAs("admin", TestApi.ADMIN_PASSWORD);
        page.navigate(root + "schedules");
        settle();
        page.locator("#schedules vaadin-grid-cell-content:has-text('carlas-drill')").first().click();
        assertThat(page.locator("#schedule-history")).containsText("refused: creator carla is disabled");
    }

    private static void awaitRefusedFire(String schedule) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            List<String> refused = asAdmin().get("/api/v1/schedules/" + schedule).then().statusCode(200).extract()
                    .path("history.findAll { it.refused != null }.refused");
            if (!refused.isEmpty()) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(schedule + " had no refused fire");
    }
}

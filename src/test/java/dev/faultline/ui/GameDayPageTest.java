package dev.faultline.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static dev.faultline.testing.TestApi.asAdmin;
import static org.hamcrest.Matchers.equalTo;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.security.Role;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A game day planned by one user in the browser (in New York, while the server runs in UTC), refused
 * approval by its own planner, approved by another.
 */
@QuarkusTest
class GameDayPageTest extends BrowserTest {

    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    @Override
    protected String browserTimeZone() {
        return NEW_YORK.getId();
    }

    @BeforeEach
    void seed() {
        TestApi.sendYamlAsText();
        database.clear();
        users.create("gina", List.of("bookinfo"), Role.EXPERIMENTER, Role.APPROVER);
        users.create("alex", List.of(), Role.APPROVER);
        users.create("pat", List.of(), Role.VIEWER);
        storeReviewsDelay();
    }

    @Test
    void onePlansAnotherApproves() {
        signInAs("gina", TestUsers.password("gina"));
        page.navigate(root + "gamedays");
        settle();
        assertThat(page.locator("#gameday-start")).containsText("In your time zone, America/New_York");
        page.locator("#plan-gameday").click();
        assertThat(page.locator("#gameday-title [slot=error-message]")).containsText("is required");
        page.locator("#gameday-name input").fill("q1-drill");
        page.locator("#gameday-title input").fill("Q1 resilience drill");
        page.locator("#gameday-participants input").fill("pat");
        page.locator("vaadin-multi-select-combo-box-item:has-text('pat')").click();
        page.keyboard().press("Escape");
        page.locator("#gameday-steps textarea").fill("reviews-delay");
        page.locator("#plan-gameday").click();
        assertThat(page.locator("#gamedays")).containsText("PLANNED");
        LocalDateTime tomorrowAtTen = LocalDate.now(NEW_YORK).plusDays(1).atTime(10, 0);
        assertThat(page.locator("#gamedays")).containsText(tomorrowAtTen.toLocalDate() + " 10:00");
        asAdmin().get("/api/v1/gamedays/q1-drill").then().body("timeZone", equalTo("America/New_York"))
                .body("startAt", equalTo(tomorrowAtTen.atZone(NEW_YORK).toInstant().toString()));

        page.locator("#gamedays vaadin-grid-cell-content:has-text('q1-drill')").click();
        page.locator("#edit-gameday").click();
        assertThat(page.locator("#gameday-steps textarea")).hasValue("reviews-delay");
        page.locator("#gameday-title input").fill("Q1 drill: reviews");
        page.locator("#plan-gameday").click();
        assertThat(page.locator("#gamedays")).containsText("Q1 drill: reviews");
        asAdmin().get("/api/v1/gamedays/q1-drill").then().body("title", equalTo("Q1 drill: reviews"))
                .body("participants", equalTo(List.of("pat")));

        page.locator("#gamedays vaadin-grid-cell-content:has-text('q1-drill')").click();
        page.locator("#approve-gameday").click();
        assertThat(page.locator("vaadin-notification-card:has-text('four eyes')")).containsText("four eyes: gina created game day q1-drill");
        asAdmin().get("/api/v1/gamedays/q1-drill").then().body("state", equalTo("PLANNED"));

        signInAs("alex", TestUsers.password("alex"));
        page.navigate(root + "gamedays");
        settle();
        page.locator("#gamedays vaadin-grid-cell-content:has-text('q1-drill')").click();
        page.locator("#approve-gameday").click();
        assertThat(page.locator("#gamedays")).containsText("APPROVED");
        assertThat(page.locator("#gameday-details")).containsText("Step 1: reviews-delay (revision 1)");
        assertThat(page.locator("#plan-gameday")).isHidden();
        screenshot("gamedays");
        asAdmin().get("/api/v1/gamedays/q1-drill").then().body("state", equalTo("APPROVED")).body("approval.by", equalTo("alex"))
                .body("participants", equalTo(List.of("pat")));

        page.locator("#finding input").fill("an approver who is not a participant may not record findings");
        page.locator("#record-finding").click();
        assertThat(page.locator("vaadin-notification-card:has-text('not a participant')")).isVisible();

        signInAs("pat", TestUsers.password("pat"));
        page.navigate(root + "gamedays");
        settle();
        page.locator("#gamedays vaadin-grid-cell-content:has-text('q1-drill')").click();
        page.locator("#finding input").fill("reviews retried into the delay and doubled it");
        page.locator("#record-finding").click();
        assertThat(page.locator("#gameday-details")).containsText("pat: reviews retried into the delay and doubled it");
        page.locator("#action-text input").fill("cap retries on reviews");
        page.locator("#action-owner input").fill("gina");
        page.locator("vaadin-combo-box-item:has-text('gina')").click();
        page.locator("#add-action").click();
        assertThat(page.locator("#gameday-actions")).containsText("cap retries on reviews (gina)");
        page.locator("#gameday-actions vaadin-checkbox:has-text('cap retries')").click();
        assertThat(page.locator("vaadin-notification-card:has-text('Done')")).isVisible();
        asAdmin().get("/api/v1/gamedays/q1-drill").then()
                .body("findings.text", equalTo(List.of("reviews retried into the delay and doubled it")))
                .body("actions[0].owner", equalTo("gina")).body("actions[0].done", equalTo(true));
        screenshot("gameday-findings");
    }
}

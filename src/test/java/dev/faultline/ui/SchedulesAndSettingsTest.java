package dev.faultline.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static dev.faultline.testing.TestApi.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.security.Role;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestSecrets;
import dev.faultline.testing.TestUsers;
import dev.faultline.testing.WebhookReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * Schedules and settings in Chromium: a schedule made in the form (its mistakes shown on their
 * fields) shows on the week's calendar with a game day and pauses; an admin adds a user and a Slack
 * channel and sends it a test message; anyone creates an API token, uses it and revokes it; an
 * experimenter stores, replaces and deletes a secret whose value the page never shows. Each browser
 * action lands in the audit log.
 */
@QuarkusTest
class SchedulesAndSettingsTest extends BrowserTest {

    @BeforeEach
    void seed() {
        TestApi.sendYamlAsText();
        database.clear();
        users.create("gina", List.of("bookinfo"), Role.EXPERIMENTER, Role.APPROVER);
        users.create("pat", List.of(), Role.VIEWER);
        storeReviewsDelay();
    }

    @Test
    void aScheduleMadeInTheFormShowsItsMistakesThenLandsOnTheCalendarAndPauses() {
        String tomorrow = LocalDate.now(ZoneId.systemDefault()).plusDays(1).toString();
        TestApi.as("gina", TestUsers.password("gina")).contentType(ContentType.JSON).body("""
                {"name": "drill", "title": "Reviews drill", "startAt": "%sT14:30:00", "timeZone": "%s",
                 "steps": [{"experiment": "reviews-delay"}]}""".formatted(tomorrow, ZoneId.systemDefault().getId()))
                .post("/api/v1/gamedays").then().statusCode(201);
        signInAs("gina", TestUsers.password("gina"));
        page.navigate(root + "schedules");
        settle();

        page.locator("#schedule-name input").fill("daily-reviews");
        page.locator("#schedule-experiment input").fill("reviews-delay");
        page.locator("vaadin-combo-box-item:has-text('reviews-delay')").click();
        page.locator("#schedule-cron input").fill("every day at ten");
        page.locator("#schedule-blackouts textarea").fill("2026-12-24 2026-12-20 backwards");
        page.locator("#schedule-from input").fill("10:00");
        page.locator("#schedule-from input").press("Tab");
        page.locator("#save-schedule").click();
        assertThat(page.locator("#schedule-cron [slot=error-message]")).containsText("cron");
        assertThat(page.locator("#schedule-blackouts [slot=error-message]")).containsText("line 1 to: must be after from");
        assertThat(page.locator("#schedule-to [slot=error-message]")).containsText("time of day");
        screenshot("schedule-errors");

        page.locator("#schedule-cron input").fill("0 0 10 ? * *");
        page.locator("#schedule-blackouts textarea").fill("");
        page.locator("#schedule-from input").fill("");
        page.locator("#schedule-from input").press("Tab");
        page.locator("#save-schedule").click();
        assertThat(page.locator("#schedules")).containsText("daily-reviews");
        assertThat(page.locator("#schedule-calendar .calendar-day")).hasCount(7);
        assertThat(page.locator("#schedule-calendar")).containsText("10:00 daily-reviews");
        assertThat(page.locator("#schedule-calendar .calendar-day[data-date='" + tomorrow + "']"))
                .containsText("14:30 Reviews drill (planned)");
        screenshot("schedules");

        page.locator("#pause-schedule").click();
        assertThat(page.locator("#schedules")).containsText("paused");
        assertThat(page.locator("#schedule-calendar")).not().containsText("daily-reviews");
        asAdmin().get("/api/v1/schedules/daily-reviews").then().statusCode(200).body("paused", org.hamcrest.Matchers.equalTo(true));
        asAdmin().queryParam("actor", "gina").get("/api/v1/audit").then().statusCode(200)
                .body("findAll { it.via == 'ui' && it.outcome == 'SUCCEEDED' }.collect { it.operation + ' ' + it.target }",
                        hasItem("schedule.apply schedule/daily-reviews"))
                .body("findAll { it.via == 'ui' }.collect { it.operation + ' ' + it.target }", hasItem("schedule.pause schedule/daily-reviews"))
                .body("findAll { it.via == 'ui' && it.outcome == 'REJECTED' }.collect { it.operation }", hasItem("schedule.apply"));
    }

    @Test
    void anAdminAddsAUserAndAChannelSendsItATestMessageAndReadsTheAuditLog() throws Exception {
        // A name of its own: the audit log outlives the database clean-up between tests, and must show this run's entry.
        String channel = "team-" + Long.toString(System.nanoTime() & 0xffffffL, 36);
        try (WebhookReceiver slack = new WebhookReceiver()) {
            signInAs("admin", TestApi.ADMIN_PASSWORD);
            page.navigate(root + "settings");
            settle();

            page.locator("vaadin-tab:has-text('Users')").click();
            page.locator("#user-name input").fill("no spaces please");
            page.locator("#save-user").click();
            assertThat(page.locator("#user-name [slot=error-message]")).containsText("must be 1 to 64 letters");
            page.locator("#user-name input").fill("casey");
            page.locator("#user-roles vaadin-checkbox:has-text('experimenter')").click();
            page.locator("#save-user").click();
            String password = page.locator("#generated-password input").inputValue();
            assertThat(password).hasSizeGreaterThanOrEqualTo(20);
            page.locator("#generated-password-done").click();
            assertThat(page.locator("#users")).containsText("casey");
            TestApi.as("casey", password).get("/api/v1/me").then().statusCode(200);

            page.locator("vaadin-tab:has-text('Channels')").click();
            page.locator("#channel-name input").fill(channel);
            page.locator("#channel-url input").fill("not a url");
            page.locator("#save-channel").click();
            assertThat(page.locator("#channel-url [slot=error-message]")).isVisible();
            String url = slack.url("/hooks/team").toString();
            page.locator("#channel-url input").fill(url);
            page.locator("#save-channel").click();
            assertThat(page.locator("#channels")).containsText(channel);
            page.locator("#test-" + channel).click();
            assertThat(page.locator("vaadin-notification-card:has-text('" + channel + ": DELIVERED')")).containsText("HTTP 200");
            assertThat(slack.await("/hooks/team", 1, Duration.ofSeconds(10))).hasSize(1);
            assertThat(page.content()).doesNotContain(url);
            screenshot("settings-channels");

            page.locator("vaadin-tab:has-text('Audit log')").click();
            assertThat(page.locator("#audit")).containsText("channel.apply channel/" + channel);
            assertThat(page.locator("#audit")).containsText("user.create user/casey");
            screenshot("settings-audit");
        }
    }

    @Test
    void aViewerCreatesAnApiTokenUsesItAndRevokesIt() {
        signInAs("pat", TestUsers.password("pat"));
        assertThat(page.locator("vaadin-side-nav-item:has-text('Settings')")).hasCount(0);
        page.locator("vaadin-side-nav-item:has-text('API tokens')").click();
        settle();
        assertThat(page.locator("vaadin-tab:has-text('Users')")).hasCount(0);

        page.locator("#create-token").click();
        assertThat(page.locator("#token-name [slot=error-message]")).containsText("is required");
        page.locator("#token-name input").fill("ci-pipeline");
        page.locator("#create-token").click();
        String token = page.locator("#token-secret input").inputValue();
        assertThat(token).startsWith("flt_");
        page.locator("#token-secret-done").click();
        assertThat(page.locator("vaadin-dialog-overlay[opened]")).hasCount(0);
        assertThat(page.locator("#tokens")).containsText("ci-pipeline");
        RestAssured.given().header("Authorization", "Bearer " + token).get("/api/v1/me").then().statusCode(200);
        screenshot("tokens");

        page.locator("#tokens vaadin-button:has-text('Revoke')").click();
        assertThat(page.locator("#tokens")).containsText("revoked");
        RestAssured.given().header("Authorization", "Bearer " + token).get("/api/v1/me").then().statusCode(401);
    }

    @Test
    void anExperimenterStoresReplacesAndDeletesASecretWhoseValueIsNeverShown() {
        String value = TestSecrets.remember("Bearer ui-" + Long.toString(System.nanoTime(), 36) + "-secret-value");
        String replaced = TestSecrets.remember(value + "-replaced");
        java.time.Instant since = java.time.Instant.now();
        signInAs("gina", TestUsers.password("gina"));
        page.locator("vaadin-side-nav-item:has-text('Settings')").click();
        settle();
        page.locator("vaadin-tab:has-text('Secrets')").click();
        assertThat(page.locator("vaadin-tab:has-text('Users')")).hasCount(0);

        page.locator("#secret-name input").fill("payments-token");
        page.locator("#secret-value input").fill(value);
        page.locator("#save-secret").click();
        assertThat(page.locator("#secret-hosts [slot=error-message]")).containsText("is required");
        page.locator("#secret-hosts textarea").fill("payments.example.com\nreviews.bookinfo:9080");
        page.locator("#save-secret").click();
        assertThat(page.locator("vaadin-notification-card:has-text('Stored payments-token')")).isVisible();
        assertThat(page.locator("#secrets")).containsText("payments.example.com, reviews.bookinfo:9080");
        assertThat(page.locator("#secret-value input")).hasValue("");
        assertThat(page.content()).doesNotContain(value);
        TestApi.as("pat", TestUsers.password("pat")).get("/api/v1/secrets/payments-token").then().statusCode(200)
                .body("hosts", hasItem("reviews.bookinfo:9080")).body("createdBy", org.hamcrest.Matchers.equalTo("gina"))
                .body(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString(value)));
        screenshot("settings-secrets");

        page.locator("#secrets vaadin-grid-cell-content:has-text('payments-token')").click();
        assertThat(page.locator("#secret-name input")).hasValue("payments-token");
        assertThat(page.locator("#secret-value input")).hasValue("");
        page.locator("#secret-value input").fill(replaced);
        page.locator("#secret-hosts textarea").fill("payments.example.com");
        page.locator("#save-secret").click();
        assertThat(page.locator("vaadin-notification-card:has-text('Replaced payments-token')")).isVisible();
        assertThat(page.locator("#secrets")).not().containsText("reviews.bookinfo:9080");
        assertThat(page.content()).doesNotContain(replaced);

        page.locator("#delete-secret-payments-token").click();
        page.locator("vaadin-confirm-dialog-overlay[opened] vaadin-button[slot=cancel-button]").click();
        assertThat(page.locator("vaadin-confirm-dialog-overlay[opened]")).hasCount(0);
        assertThat(page.locator("#secrets")).containsText("payments-token");
        page.locator("#delete-secret-payments-token").click();
        assertThat(page.locator("vaadin-confirm-dialog-overlay[opened]")).containsText("Delete secret payments-token?");
        page.locator("vaadin-confirm-dialog-overlay[opened] vaadin-button[slot=confirm-button]").click();
        assertThat(page.locator("vaadin-notification-card:has-text('Deleted payments-token')")).isVisible();
        TestApi.as("pat", TestUsers.password("pat")).get("/api/v1/secrets/payments-token").then().statusCode(404);
        // The grid keeps the cells of rows it no longer shows for reuse: only visible cells count.
        assertThat(page.locator("#secrets vaadin-grid-cell-content:visible:has-text('payments-token')")).hasCount(0);
        dev.faultline.testing.AuditEntries.await("actor=gina", since, entries -> entries.stream()
                .filter(entry -> "ui".equals(entry.get("via")) && "secret/payments-token".equals(entry.get("target")))
                .map(entry -> entry.get("operation")).toList().containsAll(List.of("secret.create", "secret.update", "secret.delete")));
    }
}

package dev.faultline.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static dev.faultline.testing.TestApi.asAdmin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.options.Cookie;

import dev.faultline.security.Role;
import dev.faultline.testing.FromAddress;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestSecrets;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;

/** Signing in and out, and the Halt all button every page carries, as a user meets them in Chromium. */
@QuarkusTest
class SignInAndHaltTest extends BrowserTest {

    @BeforeEach
    void clean() {
        database.clear();
    }

    @Test
    void aVisitorIsSentToSignInAndAWrongPasswordSaysSo() {
        page.navigate(root.toString());
        page.waitForURL("**/login**");
        assertThat(page.locator("vaadin-login-form")).isVisible();
        screenshot("sign-in");

        signIn("admin", "not-the-password");
        page.waitForURL("**/login?error**");
        assertThat(page.locator("vaadin-login-form").getByText("Incorrect username or password")).isVisible();
    }

    @Test
    void aNameGuessedTooOftenIsToldToWaitWhileAnotherSignsIn() {
        users.create("fern", List.of(), Role.VIEWER);
        users.create("gus", List.of(), Role.VIEWER);
        page.navigate(root + "login");
        page.locator("vaadin-login-form input[name=username]").fill("fern");
        page.locator("vaadin-login-form input[name=password]").fill(TestUsers.password("fern"));

        guessFromThisBrowsersAddressUntilTheWaitIsLongerThanASecond("fern");
        page.locator("vaadin-login-form input[name=password]").press("Enter");

        page.waitForURL("**/login?throttled=**");
        assertThat(page.locator("vaadin-login-form")
                .getByText("Too many failed sign-ins for this name or address; try again in ", new Locator.GetByTextOptions().setExact(false)))
                .isVisible();
        signInAs("gus", TestUsers.password("gus"));
        settle();
        assertThat(page.locator("#live-runs")).isVisible();
    }

    /** Wrong passwords posted to the sign-in form from 127.0.0.1, where Chromium connects from, until one is refused for 2 s. */
    private static void guessFromThisBrowsersAddressUntilTheWaitIsLongerThanASecond(String username) {
        for (int i = 0; i < 100; i++) {
            String location = FromAddress.formSignIn("127.0.0.1", username, TestSecrets.remember("Guess-" + username + "-" + i + "-Pw"))
                    .header("Location");
            if (location.endsWith("?throttled=2")) {
                return;
            }
            if (location.contains("?throttled=")) {
                pause();
            }
        }
        throw new AssertionError("100 wrong passwords for " + username + " were never refused for 2 s");
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void anyoneSignedInCanHaltEverythingAndAnApproverReArms() {
        users.create("vera", List.of(), Role.VIEWER);
        signInAs("vera", TestUsers.password("vera"));
        settle();
        assertThat(page.locator("#live-runs")).isVisible();
        assertThat(page.locator("#halted-banner")).isHidden();
        screenshot("dashboard");

        page.locator("#halt-all").click();
        page.locator("#halt-reason input").fill("checkout is on fire");
        page.locator("vaadin-confirm-dialog-overlay vaadin-button[slot=confirm-button]").click();
        assertThat(page.locator("#halted-banner")).containsText("Halted by vera: checkout is on fire");
        assertThat(page.locator("vaadin-notification-card")).containsText("Halted: 0 runs aborted");
        assertThat(page.locator("#rearm")).hasCount(0);
        screenshot("halted");
        asAdmin().get("/api/v1/halt").then().statusCode(200).body("halted", equalTo(true)).body("changedBy", equalTo("vera"));

        page.navigate(root + "login");
        signInAs("admin", TestApi.ADMIN_PASSWORD);
        settle();
        page.locator("#rearm").click();
        assertThat(page.locator("#halted-banner")).isHidden();
        asAdmin().get("/api/v1/halt").then().body("halted", equalTo(false));
    }

    @Test
    void aHaltPressedElsewhereShowsOnAnOpenPage() {
        signInAs("admin", TestApi.ADMIN_PASSWORD);
        settle();
        asAdmin().contentType("application/json").body("{\"reason\": \"from the API\"}").post("/api/v1/halt").then().statusCode(200);
        assertThat(page.locator("#halted-banner")).containsText("Halted by admin: from the API");
    }

    /** Signing out holds for a copy of the session cookie too (one taken from the browser, say), for the UI and the API alike. */
    @Test
    void afterSignOutACopiedSessionCookieSignsInNowhere() {
        users.create("vera", List.of(), Role.VIEWER);
        signInAs("vera", TestUsers.password("vera"));
        settle();
        Cookie copied = page.context().cookies().stream().filter(cookie -> cookie.name.equals("quarkus-credential")).findFirst()
                .orElseThrow();
        given().cookie(copied.name, copied.value).get("/api/v1/me").then().statusCode(200).body("username", equalTo("vera"));

        page.locator("vaadin-button:has-text('Sign out')").click();
        page.waitForURL("**/login**");

        given().redirects().follow(false).cookie(copied.name, copied.value).get("/api/v1/me").then().statusCode(302)
                .header("Location", containsString("/login"));
        page.context().addCookies(List.of(copied));
        page.navigate(root.toString());
        page.waitForURL("**/login**");
        assertThat(page.locator("vaadin-login-form")).isVisible();
        asAdmin().get("/api/v1/audit?operation=user.sign-out&actor=vera").then().statusCode(200).body("size()", equalTo(1));

        signInAs("vera", TestUsers.password("vera"));
        settle();
        assertThat(page.locator("#live-runs")).isVisible();
    }
}

package dev.faultline.ui;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;

import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * Real Chromium (Debian's, never a downloaded one) driven by Playwright against the application
 * under test, at 1280×800. Screenshots go to {@code docs/screenshots/} for the README.
 */
abstract class BrowserTest {

    static final Path CHROMIUM = Path.of(System.getProperty("faultline.chromium", "/usr/bin/chromium"));
    static final Path SCREENSHOTS = Path.of("docs", "screenshots");

    @TestHTTPResource("/")
    protected URL root;
    @Inject
    protected TestDatabase database;
    @Inject
    protected TestUsers users;

    private static Playwright playwright;
    private static Browser browser;
    private BrowserContext context;
    protected Page page;

    @BeforeAll
    static void launch() {
        if (!Files.isExecutable(CHROMIUM)) {
            throw new IllegalStateException(CHROMIUM + " is missing: install Debian's chromium package (.ci/run does)");
        }
        // Assertions retry for as long as actions wait: a loaded CI machine answers slower than 5 s (Playwright's default).
        com.microsoft.playwright.assertions.PlaywrightAssertions.setDefaultAssertionTimeout(20_000);
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setHeadless(true).setExecutablePath(CHROMIUM)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run")));
    }

    @AfterAll
    static void close() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
    }

    @BeforeEach
    void openPage() {
        Browser.NewContextOptions options = new Browser.NewContextOptions().setViewportSize(1280, 800);
        if (browserTimeZone() != null) {
            options.setTimezoneId(browserTimeZone());
        }
        context = browser.newContext(options);
        context.setDefaultTimeout(20_000);
        page = context.newPage();
    }

    @AfterEach
    void closePage() {
        context.close();
    }

    /** The browser's time zone when a test wants one other than the machine's. */
    protected String browserTimeZone() {
        return null;
    }

    /** Waits until Vaadin has no request in flight. */
    protected void settle() {
        page.waitForFunction("() => { const f = window.Vaadin && window.Vaadin.Flow;"
                + " return !!(f && f.clients) && Object.values(f.clients).every(c => !c.isActive()); }");
    }

    /** Signs in through the login form and waits for the dashboard. */
    protected void signInAs(String username, String password) {
        signIn(username, password);
        page.waitForURL(root.toString());
    }

    protected void signIn(String username, String password) {
        page.navigate(root + "login");
        page.locator("vaadin-login-form input[name=username]").fill(username);
        page.locator("vaadin-login-form input[name=password]").fill(password);
        page.locator("vaadin-login-form input[name=password]").press("Enter");
    }

    /** Stores {@code reviews-delay}: a 1 s delay on 10 % of the calls to bookinfo/reviews, for pages that list experiments. */
    protected static void storeReviewsDelay() {
        dev.faultline.testing.TestApi.asAdmin().contentType(dev.faultline.testing.TestApi.YAML).body("""
                apiVersion: faultline.dev/v1
                kind: Experiment
                metadata: { name: reviews-delay }
                spec:
                  target: { namespace: bookinfo, service: reviews }
                  faults: [ { delay: { fixedDelay: 1s, percentage: 10 } } ]
                  duration: 1m
                """).post("/api/v1/experiments").then().statusCode(201);
    }

    protected void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(false));
    }
}

package dev.faultline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

import dev.faultline.testing.PackagedServer;
import dev.faultline.testing.TestApi;

/**
 * The packaged jar started as a newcomer starts it: {@code faultline.playground.enabled=true} and no cluster. It
 * simulates Bookinfo, its Prometheus scrapes the simulated proxies, the examples are there, and a run's fault reaches
 * the simulated traffic far enough for a guardrail to see it and abort the run.
 */
class PlaygroundIT {

    private static final String PASSWORD = "playground-Secret-0001";

    @TempDir
    Path dataDir;

    @BeforeAll
    static void sendYamlAsText() {
        TestApi.sendYamlAsText();
    }

    @Test
    void aFaultInTheSimulatedMeshBreachesAGuardrailAndTheRunIsAbortedWithItsSamples() throws InterruptedException {
        Map<String, String> config = Map.of("faultline.data-dir", dataDir.toString(), "faultline.playground.enabled", "true",
                "faultline.admin.password", PASSWORD);
        try (PackagedServer server = PackagedServer.start(config, dataDir.resolve("playground.log"))) {
            Supplier<RequestSpecification> api = () -> TestApi.as("admin", PASSWORD).baseUri(server.baseUri().toString());
            assertThat(server.log()).contains("Playground: simulated Bookinfo mesh ready").contains("example experiment(s) loaded");
            api.get().get("/api/v1/experiments").then().statusCode(200).body("metadata.name",
                    hasItems("reviews-v2-latency", "ratings-abort-jason", "productpage-progressive-abort", "details-delay-http-check"));
            awaitPrometheus(api);

            api.get().contentType(TestApi.YAML).body("""
                    apiVersion: faultline.dev/v1
                    kind: Experiment
                    metadata: { name: playground-reviews-abort, team: bookinfo }
                    spec:
                      # reviews has two routes in the playground (jason's to v2, everyone else's to v1): name one
                      target: { mesh: istio, namespace: bookinfo, service: reviews, subset: v1 }
                      faults:
                        - abort: { httpStatus: 503, percentage: 50 }
                      duration: 2m
                      guardrails:
                        - name: reviews errors as productpage sees them
                          goldenSignal: { signal: errorRate, service: reviews, window: 5s, reporter: source }
                          tolerance: { below: 0.2 }
                          interval: 1s
                          failureThreshold: 2
                    """).post("/api/v1/experiments").then().statusCode(201);
            String id = api.get().post("/api/v1/experiments/playground-reviews-abort/runs").then().statusCode(202).extract().path("id");

            JsonPath run = awaitEnd(api, id);
            assertThat(run.getString("state")).as(run.getString("reason")).isEqualTo("ABORTED");
            assertThat(run.getString("reason")).contains("reviews errors as productpage sees them");
            assertThat(run.getList("rules.removedAt")).as("every rule removed").doesNotContainNull().isNotEmpty();
            List<Map<String, Object>> samples = api.get().get("/api/v1/runs/" + id + "/samples").then().statusCode(200).extract().path("");
            assertThat(samples).as("samples").anySatisfy(sample -> {
                assertThat(sample.get("passed")).isEqualTo(false);
                // a failed check may have no value (no data yet); the breach has one:
                // half of the calls to v1 (four fifths of all) aborted: the error ratio the source's proxy reports goes towards 0.4
                assertThat(sample.get("value")).isInstanceOf(Number.class);
                assertThat(((Number) sample.get("value")).doubleValue()).isGreaterThan(0.2);
            });

            seenInTheBrowser(server, id);
        }
    }

    /** What a newcomer sees: the notice on every page, and the aborted run's guardrail chart with its failed checks. */
    private static void seenInTheBrowser(PackagedServer server, String id) {
        Path chromium = Path.of(System.getProperty("faultline.chromium", "/usr/bin/chromium"));
        try (Playwright playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
                Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setHeadless(true)
                        .setExecutablePath(chromium).setArgs(List.of("--no-sandbox", "--disable-gpu")))) {
            Page page = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 800)).newPage();
            page.setDefaultTimeout(30_000);
            String root = server.baseUri() + "/";
            page.navigate(root + "login");
            PlaywrightAssertions.assertThat(page.locator("#playground-notice")).containsText("Playground");
            page.locator("vaadin-login-form input[name=username]").fill("admin");
            page.locator("vaadin-login-form input[name=password]").fill(PASSWORD);
            page.locator("vaadin-login-form input[name=password]").press("Enter");
            page.waitForURL(root);
            PlaywrightAssertions.assertThat(page.locator("#playground-notice"))
                    .hasText("Playground — simulated Bookinfo mesh, nothing real is touched");
            page.navigate(root + "runs/" + id);
            PlaywrightAssertions.assertThat(page.locator("#playground-notice")).isVisible();
            Locator chart = page.locator("echarts-chart[data-check='spec.guardrails[0]']");
            PlaywrightAssertions.assertThat(chart.locator("canvas").first()).isVisible();
            assertThat(Integer.parseInt(chart.getAttribute("data-failed"))).isGreaterThanOrEqualTo(2);
            page.screenshot(new Page.ScreenshotOptions().setPath(Path.of("docs", "screenshots", "playground-run.png")));
            page.navigate(root + "playground");
            PlaywrightAssertions.assertThat(page.locator("#traffic-rate")).isVisible();
        }
    }

    @Test
    void withoutPrometheusItSaysWhichPackageToInstallAndTheRestWorks() {
        Map<String, String> config = Map.of("faultline.data-dir", dataDir.toString(), "faultline.playground.enabled", "true",
                "faultline.admin.password", PASSWORD, "faultline.playground.prometheus-binary", dataDir.resolve("no-prometheus").toString());
        try (PackagedServer server = PackagedServer.start(config, dataDir.resolve("traffic.log"))) {
            Supplier<RequestSpecification> api = () -> TestApi.as("admin", PASSWORD).baseUri(server.baseUri().toString());
            String problem = api.get().get("/api/v1/playground").then().statusCode(200)
                    .body("prometheusRunning", equalTo(false)).extract().path("prometheusProblem");
            assertThat(problem).contains("no-prometheus is missing").contains("apt-get install prometheus");
            assertThat(server.log()).contains("apt-get install prometheus");
            api.get().get("/api/v1/experiments").then().statusCode(200).body("metadata.name", hasItems("ratings-abort-jason"));
            api.get().post("/api/v1/experiments/ratings-abort-jason/preview").then().statusCode(200);
            // Bookinfo's posture as Istio's fault-injection task routes it: jason's reviews to v2, the rest to v1, no timeouts
            api.get().get("/api/v1/posture?namespace=bookinfo").then().statusCode(200)
                    .body("services.service", hasItems("productpage", "reviews", "ratings", "details"))
                    .body("services.find { it.service == 'reviews' }.routes.subsets", equalTo(List.of(List.of("v2"), List.of("v1"))))
                    .body("services.find { it.service == 'reviews' }.gaps", hasItems(
                            "no timeout on calls to reviews (VirtualService reviews, route #0)",
                            "no timeout on calls to reviews (VirtualService reviews, route #1)"));

            api.get().contentType("application/json").body("{\"services\": {\"reviews\": {\"errorRate\": 1.5}}}")
                    .put("/api/v1/playground/traffic").then().statusCode(400)
                    .body("errors.path", hasItems("services.reviews.errorRate"));
            api.get().contentType("application/json")
                    .body("{\"requestRate\": 40, \"services\": {\"ratings\": {\"latencyMs\": 250}}}")
                    .put("/api/v1/playground/traffic").then().statusCode(200)
                    .body("traffic.requestRate", equalTo(40.0f))
                    .body("traffic.services.ratings.latencyMs", equalTo(250.0f))
                    .body("traffic.services.reviews.errorRate", equalTo(0.0f));
        }
    }

    @Test
    void refusesToStartNextToAConfiguredCluster() {
        Map<String, String> config = Map.of("faultline.data-dir", dataDir.toString(), "faultline.playground.enabled", "true",
                "quarkus.kubernetes-client.api-server-url", "https://kubernetes.example:6443");
        assertThatThrownBy(() -> PackagedServer.start(config, dataDir.resolve("refused.log")).close())
                .hasMessageContaining("exited").hasMessageContaining("the playground never runs next to a real cluster")
                .hasMessageContaining("quarkus.kubernetes-client.api-server-url");
    }

    /**
     * Waits until the playground's Prometheus runs and has a rate of the calls to reviews as productpage's proxy reports
     * them over the guardrail's window: a run started before that fails its first checks on no data (and is rightly
     * aborted for it, not for the fault).
     */
    private static void awaitPrometheus(Supplier<RequestSpecification> api) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath status = JsonPath.from(api.get().get("/api/v1/playground").then().statusCode(200).extract().asString());
            assertThat(status.getString("prometheusProblem")).isNull();
            if (status.getBoolean("prometheusRunning")) {
                List<Object> rates = io.restassured.RestAssured.given().baseUri(status.getString("prometheusUrl"))
                        .queryParam("query", "sum(rate(istio_requests_total{reporter=\"source\",destination_service_name=\"reviews\"}[5s]))")
                        .get("/api/v1/query").then().statusCode(200).extract().path("data.result");
                if (rates != null && !rates.isEmpty()) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the playground's Prometheus did not have the traffic of reviews within 60 s");
    }

    private static JsonPath awaitEnd(Supplier<RequestSpecification> api, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonPath run = null;
        while (System.nanoTime() < deadline) {
            run = JsonPath.from(api.get().get("/api/v1/runs/" + id).then().statusCode(200).extract().asString());
            if (run.getString("endedAt") != null) {
                return run;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("run " + id + " did not end; it is " + (run == null ? null : run.getString("state")));
    }
}

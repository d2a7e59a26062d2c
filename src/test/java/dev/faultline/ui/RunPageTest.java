package dev.faultline.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static dev.faultline.testing.TestApi.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.microsoft.playwright.Locator;

import dev.faultline.security.Role;
import dev.faultline.testing.TestExperiments;
import dev.faultline.testing.IstioFixtures;
import dev.faultline.playground.MeshSimulator;
import dev.faultline.testing.MetricsStack;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;

/**
 * The run page in Chromium while a run on the mock cluster breaks the error rate the real
 * Prometheus reports: it reaches ABORTED by itself, and the guardrail's chart shows the failed
 * checks, the threshold and the moment of the abort. The designer around it: the form, the
 * preview, and Run asking for consent when the fault would reach more than the target names.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = MetricsStack.class, restrictToAnnotatedClass = true)
@TestProfile(RunPageTest.Bookinfo.class)
class RunPageTest extends BrowserTest {

    public static class Bookinfo implements io.quarkus.test.junit.QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("faultline.policy.allowed-namespaces", "bookinfo", "faultline.run.settle-time", "PT1S");
        }
    }

    @KubernetesTestServer
    KubernetesServer server;

    private MeshSimulator mesh;

    @BeforeEach
    void seed() {
        TestApi.sendYamlAsText();
        database.clear();
        IstioFixtures.seedOnce(server.getClient(), "bookinfo", "virtual-service-all-v1");
        mesh = new MeshSimulator(server.getClient(), "bookinfo", Map.of("reviews", MetricsStack.reviews, "ratings", MetricsStack.ratings));
        MetricsStack.awaitTraffic();
    }

    @AfterEach
    void stopMesh() {
        mesh.close();
    }

    /**
     * Runs {@code test} on the designer showing {@code reviews-v2-abort} (half the calls to reviews v2
     * aborted) while reviews is split 80/20 between v1 and v2, as Bookinfo's sample routes it; afterwards
     * its runs are aborted and reviews routed to v1 again.
     */
    private void onReviewsV2WhileSplit(Runnable test) {
        IstioFixtures.route(server.getClient(), "bookinfo", "virtual-service-reviews-80-20");
        try {
            asAdmin().contentType(TestApi.YAML).body(TestExperiments.aborting("reviews").named("reviews-v2-abort").subset("v2").yaml())
                    .post("/api/v1/experiments").then().statusCode(201);
            signInAs("admin", TestApi.ADMIN_PASSWORD);
            page.navigate(root + "experiments/reviews-v2-abort");
            settle();
            test.run();
        } finally {
            List<String> live = asAdmin().get("/api/v1/runs").then().statusCode(200).extract()
                    .path("findAll { !(it.state in ['COMPLETED', 'DEVIATED', 'ABORTED', 'FAILED', 'CANCELLED']) }.id");
            live.forEach(id -> asAdmin().contentType(ContentType.JSON).body("{\"reason\": \"test over\"}")
                    .post("/api/v1/runs/" + id + "/abort").then().statusCode(200));
            IstioFixtures.route(server.getClient(), "bookinfo", "virtual-service-all-v1");
        }
    }

    @Test
    void runningAFaultThatWouldReachAnotherSubsetAsksForConsentAndStartsOnlyWithIt() {
        onReviewsV2WhileSplit(() -> {
            page.locator("#run").click();
            assertThat(page.locator("#consent-wider")).containsText("splits traffic by weight across subsets [v1, v2]");
            assertThat(page.locator("#consent-wider")).containsText("not only v2");
            page.locator("vaadin-confirm-dialog-overlay vaadin-button[slot=cancel-button]").click();
            assertThat(page.locator("vaadin-notification-card:has-text('Not started')")).isVisible();
            assertThat(page).hasURL(Pattern.compile(".*/experiments/reviews-v2-abort$"));
            asAdmin().get("/api/v1/runs?experiment=reviews-v2-abort").then().statusCode(200).body("size()", equalTo(0));

            page.locator("#run").click();
            page.locator("vaadin-confirm-dialog-overlay vaadin-button[slot=confirm-button]").click();
            page.waitForURL("**/runs/**");
            assertThat(page.locator("#run-state")).hasText(Pattern.compile("^(INJECTING|OBSERVING)$"));
            assertThat(page.locator("#run-rules")).containsText("still in the mesh");
            String id = page.url().substring(page.url().lastIndexOf('/') + 1);
            assertThat(IstioFixtures.virtualService(server.getClient(), "bookinfo", "reviews").at("/spec/http/0/name").asText())
                    .isEqualTo("faultline-" + id);
        });
    }

    @Test
    void thePreviewSaysWhatElseTheFaultReachesAndShowsTheVirtualServiceAsADiff() {
        onReviewsV2WhileSplit(() -> {
            page.locator("#preview").click();
            assertThat(page.locator("#preview-wider")).containsText("splits traffic by weight across subsets [v1, v2]");
            assertThat(page.locator("#preview-refusals")).hasCount(0);
            assertThat(page.locator("#preview-diff .diff-added:has-text('name: faultline-preview')")).hasCount(1);
            assertThat(page.locator("#preview-diff .diff-added:has-text('faultline.dev/run: preview')")).hasCount(1);
            // The user's own route is there before and after: kept, neither removed nor added.
            assertThat(page.locator("#preview-diff span:not(.diff-added):not(.diff-removed):has-text('weight: 80')")).hasCount(1);
            assertThat(page.locator("#preview-diff .diff-removed")).hasCount(0);
        });
    }

    /**
     * The Posture page as a developer with a grant for bookinfo reads it: every service with its routes,
     * the gaps in words, a namespace they hold no grant for refused with the reason.
     */
    @Test
    void thePosturePageShowsEachServicesRoutesAndGapsForAGrantedNamespaceOnly() {
        users.create("dev", List.of("bookinfo"), Role.VIEWER);
        signInAs("dev", TestUsers.password("dev"));
        page.locator("vaadin-side-nav-item:has-text('Posture')").click();
        page.waitForURL("**/posture");
        settle();
        page.locator("#posture-read").click();
        settle();

        assertThat(page.locator("#posture-summary")).containsText("Namespace bookinfo: mTLS UNSET");
        assertThat(page.locator("#posture-services")).containsText("reviews, route #0 → v1: no timeout, Istio's default retries");
        assertThat(page.locator("#posture-services")).containsText("no timeout on calls to reviews (VirtualService reviews, route #0)");
        assertThat(page.locator("#posture-services")).containsText("no circuit breaking for ratings");
        screenshot("posture");

        page.navigate(root + "posture?namespace=payments");
        assertThat(page.locator("vaadin-notification-card:has-text('no grant')")).containsText("dev has no grant for namespace payments");
    }

    /**
     * A viewer reads the experiment and the PromQL its checks send, but Faultline's access to
     * Prometheus and the cluster is not theirs: no values (an experimenter, the admin below, sees
     * numbers from the same Prometheus), no service list, no preview, nothing to save or run.
     */
    @Test
    void aViewerSeesTheQueriesOfTheDesignerButNoValuesAndIsOfferedNothingThatReadsTheCluster() {
        users.create("vera", List.of("bookinfo"), Role.VIEWER);
        asAdmin().contentType(TestApi.YAML).body(TestExperiments.aborting("reviews").named("reviews-watched").errorRateBelowOneFifth(false)
                .yaml()).post("/api/v1/experiments").then().statusCode(201);
        signInAs("vera", TestUsers.password("vera"));
        page.navigate(root + "experiments/reviews-watched");
        settle();

        Locator guardrail = page.locator("#current-values .current-value[data-path='spec.guardrails[0]']");
        assertThat(guardrail.locator(".promql")).containsText("istio_requests_total");
        assertThat(guardrail.locator(".value")).hasText("values are shown to experimenters with a grant for the namespace");
        assertThat(page.locator("#service")).not().containsText("Could not list the services");
        for (String action : List.of("#preview", "#run", "#save")) {
            assertThat(page.locator(action)).isHidden();
        }
        page.waitForTimeout(6_000); // past the designer's refresh every 5 s: still no value
        assertThat(guardrail.locator(".value")).hasText("values are shown to experimenters with a grant for the namespace");
    }

    @Test
    void theRunPageReachesAbortedByItselfWithTheBreachOnTheChart() {
        asAdmin().contentType(TestApi.YAML).body(TestExperiments.aborting("reviews").named("reviews-breaks").errorRateBelowOneFifth(false)
                .yaml()).post("/api/v1/experiments").then().statusCode(201);
        signInAs("admin", TestApi.ADMIN_PASSWORD);
        settle();
        String id = asAdmin().contentType(ContentType.JSON).body("{}").post("/api/v1/experiments/reviews-breaks/runs").then()
                .statusCode(202).extract().path("id");

        page.navigate(root + "runs/" + id);
        assertThat(page.locator("#run-state")).hasText("ABORTED", new com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions()
                .setTimeout(45_000));
        assertThat(page.locator("#run-reason")).containsText("guardrail \"reviews error rate\" breached");
        Locator chart = page.locator("echarts-chart[data-check='spec.guardrails[0]']");
        assertThat(chart).isVisible();
        assertThat(chart.locator("canvas").first()).isVisible();
        assertThat(Integer.parseInt(chart.getAttribute("data-failed"))).isGreaterThanOrEqualTo(2);
        assertThat(chart.getAttribute("data-aborted-at")).isNotEmpty();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> marks = (List<Map<String, Object>>) chart.evaluate("c => c.option.series[0].markLine.data");
        assertThat(marks).anySatisfy(mark -> assertThat(mark).containsEntry("name", "aborted").containsKey("xAxis"));
        assertThat(marks).anySatisfy(mark -> assertThat(((Number) mark.get("yAxis")).doubleValue()).isEqualTo(0.2));
        assertThat(page.locator("#run-rules")).not().containsText("still in the mesh");
        assertThat(page.locator("#abort-run")).isHidden();
        // the page keeps following the aborted run until its steady state holds again
        assertThat(page.locator("#run-recovery")).containsText(java.util.regex.Pattern.compile("Recovered [0-9.]+ s after the rules' removal"),
                new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(45_000));
        screenshot("run-aborted");

        // once it is over, the page reads what the fault did to the namespace's calls
        Locator impact = page.locator("#impact-edges");
        assertThat(impact).containsText("reviews · target", new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions()
                .setTimeout(15_000));
        assertThat(impact.locator("vaadin-grid-cell-content", new Locator.LocatorOptions().setHasText("LARGE")).first()).isVisible();
        Locator graph = page.locator("#impact-graph");
        assertThat(graph.locator("canvas").first()).isVisible();
        assertThat(graph.evaluate("c => c.option.series[0].type")).isEqualTo("graph");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> links = (List<Map<String, Object>>) graph.evaluate("c => c.option.series[0].links");
        assertThat(links).anySatisfy(link -> assertThat(link).containsEntry("source", "productpage").containsEntry("target", "reviews")
                .containsEntry("level", "LARGE"));
        assertThat(graph.evaluate("c => c.option.series[0].data.find(n => n.name === 'reviews').target")).isEqualTo(true);
        graph.evaluate("g => g.scrollIntoView({block: 'center'})");
        screenshot("run-impact");

        page.navigate(root + "runs");
        assertThat(page.locator("#runs")).containsText(id);
    }

    @Test
    void theRunPageListsWhatTheRunFoundWithItsEvidenceAndTheChangeToApply() throws InterruptedException {
        asAdmin().contentType(TestApi.YAML).body(TestExperiments.delaying("reviews", "1s").named("reviews-slow").lasting("4s").yaml())
                .post("/api/v1/experiments").then().statusCode(201);
        Thread.sleep(4_000); // the simulated traffic alone in the window before the run
        String id = asAdmin().post("/api/v1/experiments/reviews-slow/runs?wait=true&timeout=60s").then().statusCode(200)
                .body("state", equalTo("COMPLETED")).extract().path("id");
        signInAs("admin", TestApi.ADMIN_PASSWORD);
        page.navigate(root + "runs/" + id);

        Locator finding = page.locator("#impact-findings .finding[data-kind='missingTimeout']");
        assertThat(finding).containsText("a 1s delay on reviews reached productpage in full: its calls to reviews have no timeout",
                new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(15_000));
        assertThat(page.locator("#impact-findings")).hasAttribute("data-findings", "1");
        finding.locator("vaadin-details-summary").click();
        assertThat(finding.locator(".finding-evidence")).containsText("no timeout on VirtualService reviews route #0");
        assertThat(finding.locator(".finding-suggestion")).containsText("kubectl -n bookinfo patch virtualservice reviews --type=json");
        finding.evaluate("f => f.scrollIntoView({block: 'start'})");
        screenshot("run-findings");

        // the experiment's report: one run, its finding open, the score saying what it cost
        page.navigate(root + "report?experiment=reviews-slow");
        assertThat(page.locator("#report-score")).hasText("Score 90 / 100");
        assertThat(page.locator("#report-explanation")).containsText("−10  1 open finding: missingTimeout (productpage → reviews)");
        assertThat(page.locator("#report-findings")).containsText("open");
        assertThat(page.locator("#report-findings")).containsText("missingTimeout");
        assertThat(page.locator("#report-runs")).containsText(id);
        assertThat(page.locator("#report-chart")).hasAttribute("data-runs", "1");
        screenshot("report");
    }

    @Test
    void anExperimentDesignedInTheFormShowsErrorsOnItsFieldsKeepsInStepWithYamlPreviewsRunsAndKeepsItsHistory() {
        signInAs("admin", TestApi.ADMIN_PASSWORD);
        page.navigate(root + "experiments/new");
        settle();
        page.locator("#name input").fill("Reviews UI!");
        page.locator("#abort-status input").fill("503");
        page.locator("#abort-percentage input").fill("150");
        page.locator("#save").click();
        assertThat(page.locator("#name [slot=error-message]")).containsText("must be a DNS label");
        assertThat(page.locator("#abort-percentage [slot=error-message]")).containsText("percentage");
        assertThat(page.locator("#service [slot=error-message]")).containsText("required");
        screenshot("designer-errors");

        page.locator("#name input").fill("reviews-ui");
        page.locator("#namespace input").fill("bookinfo");
        page.locator("#namespace input").press("Enter");
        page.locator("#service input").fill("rev");
        page.locator("vaadin-combo-box-item:has-text('reviews')").click();
        page.locator("#abort-percentage-slider").fill("50");
        assertThat(page.locator("#abort-percentage input")).hasValue("50");
        page.locator("#duration input").fill("60s");
        page.locator("#signal").click();
        page.locator("vaadin-select-list-box vaadin-select-item:visible:has-text('errorRate')").click();
        page.locator("#below input").fill("0.2");
        page.locator("#interval input").fill("250ms");
        // the first select's overlay closes with an animation; its items must be gone before the second opens
        assertThat(page.locator("vaadin-select-list-box vaadin-select-item:visible:has-text('errorRate')")).hasCount(0);
        page.locator("#probe-signal").click();
        page.locator("vaadin-select-list-box vaadin-select-item:visible:has-text('errorRate')").click();
        page.locator("#probe-below input").fill("0.9");
        page.locator("#probe-below input").press("Tab");
        assertThat(page.locator("#current-values .current-value[data-path='spec.guardrails[0]']")).containsText("errorRate of reviews");
        assertThat(page.locator("#current-values .current-value[data-path='spec.guardrails[0]'] .value"))
                .hasText(java.util.regex.Pattern.compile("^[0-9.eE+-]+$"));
        assertThat(page.locator("#current-values .current-value[data-path='spec.steadyState.probes[0]'] .value"))
                .hasText(java.util.regex.Pattern.compile("^[0-9.eE+-]+$"));
        screenshot("designer-form");

        page.locator("vaadin-tab:has-text('YAML')").click();
        Locator yaml = page.locator("#yaml textarea");
        assertThat(yaml).not().hasValue("");
        String text = yaml.inputValue();
        assertThat(text).contains("name: reviews-ui").contains("httpStatus: 503").contains("signal: errorRate").contains("steadyState:")
                .contains("below: 0.9");
        yaml.fill(text.replace("duration: 60s", "duration: 45s"));
        page.locator("vaadin-tab:has-text('Form')").click();
        assertThat(page.locator("#duration input")).hasValue("45s");

        page.locator("#preview").click();
        assertThat(page.locator("#preview-after")).containsText("faultline-preview");
        screenshot("designer-preview");
        page.keyboard().press("Escape");

        page.locator("#run").click();
        page.waitForURL("**/runs/**");
        assertThat(page.locator("#run-state")).hasText("ABORTED", new com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions()
                .setTimeout(45_000));
        asAdmin().get("/api/v1/experiments/reviews-ui").then().statusCode(200)
                .body("spec.duration", org.hamcrest.Matchers.equalTo("45s"));

        page.navigate(root + "experiments/reviews-ui");
        settle();
        page.locator("#duration input").fill("30s");
        page.locator("#save").click();
        assertThat(page.locator("h2")).containsText("revision 2");
        page.locator("vaadin-tab:has-text('History')").click();
        page.locator("#revisions vaadin-grid-cell-content:text-is('2')").click();
        assertThat(page.locator("#revision-diff .diff-removed")).containsText("duration: 45s");
        assertThat(page.locator("#revision-diff .diff-added")).containsText("duration: 30s");
        screenshot("designer-history");
        page.locator("#revisions vaadin-grid-cell-content:text-is('1')").click();
        page.locator("#load-revision").click();
        assertThat(page.locator("#duration input")).hasValue("45s");
    }
}

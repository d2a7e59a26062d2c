package dev.faultline.resilience;

import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.containsString;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.faultline.playground.MeshSimulator;
import dev.faultline.run.RunLifecycleTest;
import dev.faultline.security.Role;
import dev.faultline.testing.CrdSchema;
import dev.faultline.testing.IstioFixtures;
import dev.faultline.testing.MetricsStack;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestExperiments;
import dev.faultline.testing.TestSecrets;
import dev.faultline.testing.TestUsers;
import dev.faultline.testing.WebhookReceiver;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * The findings a developer reads after a run, from the real Prometheus scraping a simulated mesh: a
 * delay reaching productpage for want of a timeout (and the suggested timeout applied, turning it into
 * quick 504s), and an abort on ratings passed up a chain of services that have no fallback, watched by
 * a guardrail that reads the destination's reports and so never moves; the Slack message lists them.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = MetricsStack.class, restrictToAnnotatedClass = true) // shares RunLifecycleTest's application
@TestProfile(RunLifecycleTest.Bookinfo.class)
class FindingsTest {

    private static final AtomicInteger EXPERIMENTS = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PATCH = Pattern.compile("kubectl -n bookinfo patch virtualservice (\\S+) --type=json -p '(.*)'");
    private static WebhookReceiver receiver;

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;

    private MeshSimulator mesh;

    @BeforeAll
    static void startReceiver() {
        TestApi.sendYamlAsText();
        receiver = new WebhookReceiver();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @BeforeEach
    void seed() {
        database.clear();
        IstioFixtures.seedOnce(server.getClient(), "bookinfo", "virtual-service-all-v1");
        users.create("erin", List.of("bookinfo"), Role.EXPERIMENTER);
    }

    @AfterEach
    void restore() {
        if (mesh != null) {
            mesh.close();
        }
        IstioFixtures.route(server.getClient(), "bookinfo", "virtual-service-all-v1");
    }

    private static String store(TestExperiments experiment) {
        String name = "findings-" + EXPERIMENTS.incrementAndGet();
        asAdmin().contentType(TestApi.YAML).body(experiment.named(name).team("bookinfo").yaml()).post("/api/v1/experiments")
                .then().statusCode(201);
        return name;
    }

    private static JsonPath run(String experiment) {
        JsonPath run = JsonPath.from(as("erin", TestUsers.password("erin")).post("/api/v1/experiments/" + experiment + "/runs?wait=true&timeout=60s")
                .then().statusCode(200).extract().asString());
        assertThat(run.getString("state")).as(run.getString("reason")).isEqualTo("COMPLETED");
        return run;
    }

    private static JsonPath get(String path) {
        return JsonPath.from(as("erin", TestUsers.password("erin")).get(path).then().statusCode(200).extract().asString());
    }

    @Test
    void aDelayWithoutATimeoutIsFoundAndTheSuggestedTimeoutTurnsItIntoQuickFailures() throws Exception {
        mesh = new MeshSimulator(server.getClient(), "bookinfo", Map.of("reviews", MetricsStack.reviews, "ratings", MetricsStack.ratings));
        MetricsStack.awaitTraffic();
        Thread.sleep(4000); // a before window of the simulator's traffic alone
        String experiment = store(TestExperiments.delaying("reviews", "1s").lasting("4s"));
        String first = run(experiment).getString("id");

        JsonPath findings = get("/api/v1/runs/" + first + "/findings");
        assertThat(findings.getList("kind")).as(findings.prettify()).containsExactly("missingTimeout");
        assertThat(findings.getString("[0].caller")).isEqualTo("productpage");
        assertThat(findings.getString("[0].service")).isEqualTo("reviews");
        assertThat(findings.getString("[0].message")).isEqualTo("a 1s delay on reviews reached productpage in full: its calls to reviews have no timeout");
        assertThat(findings.getString("[0].evidence")).contains("no timeout on VirtualService reviews route #0");

        // the developer applies the suggestion as it is written
        Matcher patch = PATCH.matcher(findings.getString("[0].suggestion"));
        assertThat(patch.find()).as(findings.getString("[0].suggestion")).isTrue();
        server.getClient().genericKubernetesResources(IstioFixtures.VIRTUAL_SERVICES).inNamespace("bookinfo").withName(patch.group(1))
                .patch(PatchContext.of(PatchType.JSON), patch.group(2));
        JsonNode reviews = IstioFixtures.virtualService(server.getClient(), "bookinfo", "reviews");
        CrdSchema.istio().assertValid(reviews);
        assertThat(reviews.path("spec").path("http").path(0).path("timeout").asText()).isEqualTo("0.1s");

        Thread.sleep(5000); // past the first run's fault, so the next before window is the mesh at rest
        String second = run(experiment).getString("id");
        JsonPath impact = get("/api/v1/runs/" + second + "/impact");
        assertThat(impact.getString("edges[0].destination")).isEqualTo("reviews");
        assertThat(impact.getDouble("edges[0].before.latencyP99")).isLessThan(100.0);
        assertThat(impact.getDouble("edges[0].during.errorRate")).as("every delayed call cut at the timeout: 504").isCloseTo(1.0, within(0.1));
        assertThat(impact.getDouble("edges[0].during.latencyP99")).as("after at most the timeout").isLessThanOrEqualTo(100.0);
        assertThat(get("/api/v1/runs/" + second + "/findings").getList("kind")).doesNotContain("missingTimeout");
        assertThat(get("/api/v1/runs/" + first + "/findings").getList("kind")).as("what the first run found, drawn when it ended")
                .containsExactly("missingTimeout");

        // across the two runs: found, then fixed
        JsonPath report = get("/api/v1/report?experiment=" + experiment);
        assertThat(report.getString("namespace")).isEqualTo("bookinfo");
        assertThat(report.getList("runs.id")).containsExactly(second, first);
        assertThat(report.getInt("verdicts.judged")).isEqualTo(2);
        assertThat(report.getInt("verdicts.completed")).isEqualTo(2);
        assertThat(report.getList("findings.kind")).containsExactly("missingTimeout");
        assertThat(report.getBoolean("findings[0].open")).as("the newest run no longer shows it").isFalse();
        assertThat(report.getString("findings[0].lastRun")).isEqualTo(first);
        assertThat(report.getInt("score.value")).isEqualTo(100);
        assertThat(report.getList("score.explanation.reason")).contains("the start", "no open finding");
        assertThat(report.getInt("recovery.notRecovered")).isZero();
        assertThat(get("/api/v1/report?namespace=bookinfo&since=1h").getList("runs.id")).containsExactly(second, first);
    }

    @Test
    void anAbortPassedUpAChainWithoutFallbacksIsFoundWithItsPathTheMissingRetriesAndTheGuardrailThatNeverMoved() throws Exception {
        // productpage → reviews → ratings, each answering 500 when its call fails; faults reported by the caller only, as sidecars do
        mesh = new MeshSimulator(server.getClient(), "bookinfo", MeshSimulator.Topology.chain(List.of("productpage", "reviews", "ratings")),
                Map.of("productpage", MetricsStack.reviews, "reviews", MetricsStack.reviews, "ratings", MetricsStack.ratings),
                MeshSimulator.Settings.defaults(), false, Duration.ofMillis(50));
        Thread.sleep(7000); // the chain's own calls in the before window
        String path = "/services/T0FAULT/B0LINE/findings-" + EXPERIMENTS.get();
        String url = TestSecrets.remember(receiver.url(path).toString());
        asAdmin().contentType(ContentType.JSON).body(Map.of("name", "findings-slack", "kind", "slack", "url", url)).post("/api/v1/channels")
                .then().statusCode(201);
        String id = run(store(TestExperiments.aborting("ratings").lasting("5s").errorRateBelowOneFifth(false)
                .with("notify: [ { channel: findings-slack, on: [ completed ] } ]"))).getString("id");

        JsonPath findings = get("/api/v1/runs/" + id + "/findings");
        assertThat(findings.getList("kind")).as(findings.prettify()).containsExactly("missingRetries", "errorsSpread", "blindGuardrail");
        assertThat(findings.getString("[0].caller")).isEqualTo("reviews");
        assertThat(findings.getString("[0].service")).isEqualTo("ratings");
        assertThat(findings.getString("[0].message")).startsWith("reviews passed ratings's failures on to its own callers, and no retries are stated");
        assertThat(findings.getString("[0].suggestion")).contains("patch virtualservice ratings", "/spec/http/0/retries", "\"attempts\":2");
        assertThat(findings.getList("[1].path")).containsExactly("istio-ingressgateway", "productpage", "reviews", "ratings");
        assertThat(findings.getString("[1].message")).isEqualTo("errors from ratings spread 3 calls up, to istio-ingressgateway: "
                + "istio-ingressgateway → productpage → reviews → ratings");
        assertThat(findings.getString("[2].guardrail")).isEqualTo("ratings error rate");
        assertThat(findings.getString("[2].message")).contains("never sees the faults its callers' proxies inject");
        assertThat(findings.getString("[2].suggestion")).contains("reporter: source");

        JsonNode message = JSON.readTree(receiver.await(path, 1, Duration.ofSeconds(15)).get(0).body());
        List<String> sections = message.path("blocks").findValues("text").stream().map(text -> text.path("text").asText()).toList();
        assertThat(sections).anySatisfy(text -> assertThat(text).startsWith("*Findings*\n• missingRetries: reviews passed ratings")
                .contains("\n• errorsSpread: errors from ratings spread 3 calls up", "\n• blindGuardrail: guardrail ratings error rate"));
    }

    @Test
    void findingsAreForThoseGrantedTheNamespaceOfRunsWhoseFaultIsOut() {
        users.create("paula", List.of("payments"), Role.VIEWER);
        as("paula", TestUsers.password("paula")).get("/api/v1/runs/nosuchrun/findings").then().statusCode(404)
                .contentType(TestApi.PROBLEM);
        String id = as("erin", TestUsers.password("erin")).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/experiments/" + store(TestExperiments.aborting("reviews").lasting("10m")) + "/runs").then().statusCode(202)
                .extract().path("id");
        TestApi.awaitTimeline(id, "OBSERVING");
        as("erin", TestUsers.password("erin")).get("/api/v1/runs/" + id + "/findings").then().statusCode(409).contentType(TestApi.PROBLEM)
                .body("detail", containsString("still has a fault rule in the mesh"));
        as("paula", TestUsers.password("paula")).get("/api/v1/runs/" + id + "/findings").then().statusCode(403)
                .body("detail", containsString("no grant for namespace bookinfo"));
        asAdmin().contentType(ContentType.JSON).body(Map.of("reason", "done")).post("/api/v1/runs/" + id + "/abort").then().statusCode(200);

        as("paula", TestUsers.password("paula")).get("/api/v1/report?namespace=bookinfo").then().statusCode(403);
        as("erin", TestUsers.password("erin")).get("/api/v1/report?namespace=bookinfo&experiment=x").then().statusCode(400)
                .body("errors[0].path", org.hamcrest.Matchers.equalTo("namespace"));
        as("erin", TestUsers.password("erin")).get("/api/v1/report").then().statusCode(400)
                .body("errors[0].path", org.hamcrest.Matchers.equalTo("experiment"));
        as("erin", TestUsers.password("erin")).get("/api/v1/report?namespace=bookinfo&since=forever").then().statusCode(400)
                .body("errors[0].path", org.hamcrest.Matchers.equalTo("since"))
                .body("errors[0].message", containsString("found \"forever\""));
        as("erin", TestUsers.password("erin")).get("/api/v1/report?experiment=nosuch").then().statusCode(404);
    }
}

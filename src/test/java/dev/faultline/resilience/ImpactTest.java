package dev.faultline.resilience;

import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.faultline.playground.MeshSimulator;
import dev.faultline.run.RunLifecycleTest;
import dev.faultline.security.Role;
import dev.faultline.testing.IstioFixtures;
import dev.faultline.testing.MetricsStack;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestExperiments;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.path.json.JsonPath;

/**
 * A run's impact as a developer reads it after the run: the real Prometheus scraping the exporters
 * a simulated mesh reports into (productpage calling reviews and ratings), a 50 % abort on reviews.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = MetricsStack.class, restrictToAnnotatedClass = true) // shares RunLifecycleTest's application
@TestProfile(RunLifecycleTest.Bookinfo.class)
class ImpactTest {

    private static final AtomicInteger EXPERIMENTS = new AtomicInteger();
    private static HttpServer failing;

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;

    private MeshSimulator mesh;

    @BeforeAll
    static void startFailingService() throws IOException {
        TestApi.sendYamlAsText();
        failing = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        failing.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(503, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("down".getBytes());
            }
        });
        failing.start();
    }

    @AfterAll
    static void stopFailingService() {
        failing.stop(0);
    }

    @BeforeEach
    void seed() {
        database.clear();
        IstioFixtures.seedOnce(server.getClient(), "bookinfo", "virtual-service-all-v1");
        mesh = new MeshSimulator(server.getClient(), "bookinfo", Map.of("reviews", MetricsStack.reviews, "ratings", MetricsStack.ratings));
        users.create("erin", List.of("bookinfo"), Role.EXPERIMENTER);
        users.create("paula", List.of("payments"), Role.VIEWER);
        MetricsStack.awaitTraffic();
    }

    @AfterEach
    void stopMesh() {
        mesh.close();
    }

    private static String store(TestExperiments experiment) {
        String name = "impact-" + EXPERIMENTS.incrementAndGet();
        asAdmin().contentType(TestApi.YAML).body(experiment.named(name).team("bookinfo").yaml()).post("/api/v1/experiments")
                .then().statusCode(201);
        return name;
    }

    private static JsonPath run(String experiment) {
        return JsonPath.from(as("erin", TestUsers.password("erin")).post("/api/v1/experiments/" + experiment + "/runs?wait=true&timeout=60s")
                .then().statusCode(200).extract().asString());
    }

    @Test
    void anAbortOnReviewsShowsOnTheCallersEdgeIntoReviewsAndNowhereElse() throws InterruptedException {
        JsonPath run = run(store(TestExperiments.aborting("reviews").lasting("6s").errorRateBelowOneFifth(true)));
        assertThat(run.getString("state")).as(run.getString("reason")).isEqualTo("COMPLETED");
        Instant holdsAgain = Instant.parse(run.getString("recovery.holdsAgainAt"));
        // let the after window fill for a few scrapes
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), holdsAgain.plusSeconds(4)).toMillis()));

        String id = run.getString("id");
        JsonPath impact = JsonPath.from(as("erin", TestUsers.password("erin")).get("/api/v1/runs/" + id + "/impact")
                .then().statusCode(200).extract().asString());
        assertThat(impact.getString("target.service")).isEqualTo("reviews");
        assertThat(impact.getInt("queries")).isEqualTo(9);
        assertThat(impact.getList("notes")).isEmpty();
        Instant applied = Instant.parse(run.getString("rules[0].appliedAt"));
        Instant removed = Instant.parse(run.getString("rules[0].removedAt"));
        assertThat(Instant.parse(impact.getString("window.during.from"))).isEqualTo(applied);
        assertThat(Instant.parse(impact.getString("window.during.to"))).isEqualTo(removed);
        Duration during = Duration.between(applied, removed);
        assertThat(Duration.between(Instant.parse(impact.getString("window.before.from")), Instant.parse(impact.getString("window.before.to"))))
                .isEqualTo(during);
        assertThat(Instant.parse(impact.getString("window.after.from"))).isEqualTo(holdsAgain);

        assertThat(impact.getList("edges.destination")).as("reviews first, as the target").startsWith("reviews").contains("ratings");
        Map<String, Object> reviews = impact.getMap("edges[0]");
        assertThat(reviews).containsEntry("source", "productpage-v1").containsEntry("sourceService", "productpage")
                .containsEntry("reporter", "source").containsEntry("target", true);
        assertThat(impact.getDouble("edges[0].before.errorRate")).isLessThan(0.05);
        assertThat(impact.getDouble("edges[0].during.errorRate")).as("half the calls aborted").isCloseTo(0.5, within(0.15));
        assertThat(impact.getDouble("edges[0].during.errorRateExcludingInjected")).isLessThan(0.05);
        assertThat(impact.getDouble("edges[0].during.requestRate")).isGreaterThan(0);
        assertThat(impact.getDouble("edges[0].after.errorRate")).as("the recovery is real").isLessThan(0.05);
        assertThat(impact.getDouble("edges[0].before.latencyP99")).isGreaterThan(0);
        assertThat(impact.getString("edges[0].change.level")).isEqualTo("LARGE");
        assertThat(impact.getDouble("edges[0].change.errorRatePoints")).isGreaterThan(0.3);

        Map<String, Object> ratings = impact.getMap("edges.find { it.destination == 'ratings' }");
        assertThat(ratings).containsEntry("target", false).containsEntry("source", "productpage-v1");
        assertThat(impact.getString("edges.find { it.destination == 'ratings' }.change.level")).isEqualTo("NONE");
    }

    @Test
    void theImpactIsForThoseGrantedTheNamespaceOfRunsThatWroteARule() {
        JsonPath cancelled = run(store(TestExperiments.aborting("reviews")
                .steadyWhile("reviews answers", "http://127.0.0.1:" + failing.getAddress().getPort() + "/health")));
        assertThat(cancelled.getString("state")).isEqualTo("CANCELLED");
        String id = cancelled.getString("id");
        as("erin", TestUsers.password("erin")).get("/api/v1/runs/" + id + "/impact").then().statusCode(409)
                .contentType(TestApi.PROBLEM).body("detail", containsString("it wrote no fault rule"));
        as("paula", TestUsers.password("paula")).get("/api/v1/runs/" + id + "/impact").then().statusCode(403)
                .body("detail", containsString("no grant for namespace bookinfo"));
        as("erin", TestUsers.password("erin")).get("/api/v1/runs/nosuchrun/impact").then().statusCode(404)
                .body("detail", equalTo("run nosuchrun does not exist"));
    }
}

package dev.faultline.run;

import static dev.faultline.testing.Runs.awaitEnd;
import static dev.faultline.testing.Runs.awaitState;
import static dev.faultline.testing.TestApi.asAdmin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.faultline.testing.IstioFixtures;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestExperiments;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Faultline's own metrics, as a Prometheus scraper without credentials reads them at /q/metrics:
 * endings by verdict, aborts by cause, the breach-to-removal time, the kill switch; and the alerts
 * of deploy/prometheus-rules.yaml name only metrics that are there.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(RunMetricsTest.Quick.class)
class RunMetricsTest {

    public static class Quick implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("faultline.policy.allowed-namespaces", "bookinfo", "faultline.run.settle-time", "PT1S");
        }
    }

    private static final Pattern METRIC = Pattern.compile("\\bfaultline_[a-z_]+");

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    TestDatabase database;

    @BeforeEach
    void seed() {
        TestApi.sendYamlAsText();
        database.clear();
        IstioFixtures.seedOnce(server.getClient(), "bookinfo", "virtual-service-all-v1");
    }

    @Test
    void aRunThatCompletesCountsAsEndedCompleted() {
        double before = value("faultline_runs_ended_total{verdict=\"COMPLETED\"}");
        String run = start(store(TestExperiments.aborting("reviews").named("metrics-completes").lasting("1s")));
        JsonPath ended = awaitEnd(run);
        assertThat(ended.getString("state")).as(ended.getString("reason")).isEqualTo("COMPLETED");

        awaitValue("faultline_runs_ended_total{verdict=\"COMPLETED\"}", v -> v == before + 1);
    }

    @Test
    void aRunAbortedThroughTheApiCountsAsAbortedByAUserAndItsRuleAsLiveMeanwhile() {
        double aborted = value("faultline_runs_ended_total{verdict=\"ABORTED\"}");
        double byUser = value("faultline_aborts_total{cause=\"user\"}");
        double byGuardrail = value("faultline_aborts_total{cause=\"guardrail\"}");
        String run = start(store(TestExperiments.aborting("reviews").named("metrics-aborted").lasting("60s")));
        try {
            awaitState(run, "OBSERVING");
            assertThat(value("faultline_runs_live")).isEqualTo(1);
            assertThat(value("faultline_rules_live")).isEqualTo(1);
        } finally {
            asAdmin().contentType(ContentType.JSON).body(Map.of("reason", "metrics-private-reason"))
                    .post("/api/v1/runs/" + run + "/abort").then().statusCode(200);
        }

        awaitValue("faultline_aborts_total{cause=\"user\"}", v -> v == byUser + 1);
        assertThat(value("faultline_runs_ended_total{verdict=\"ABORTED\"}")).isEqualTo(aborted + 1);
        assertThat(value("faultline_aborts_total{cause=\"guardrail\"}")).isEqualTo(byGuardrail);
        assertThat(value("faultline_runs_live")).isZero();
        assertThat(value("faultline_rules_live")).isZero();
        assertThat(value("faultline_rules_needing_cleanup")).isZero();
    }

    @Test
    void aGuardrailBreachCountsAsAbortedByAGuardrailWithOneBreachToRemovalTime() throws IOException {
        double byGuardrail = value("faultline_aborts_total{cause=\"guardrail\"}");
        double byUser = value("faultline_aborts_total{cause=\"user\"}");
        double timed = value("faultline_breach_to_removal_seconds_count");
        String run = start(store(TestExperiments.aborting("reviews").named("metrics-breached").lasting("60s").answering(closedPort())));

        JsonPath ended = awaitEnd(run);
        assertThat(ended.getString("state")).as(ended.getString("reason")).isEqualTo("ABORTED");
        assertThat(ended.getString("reason")).startsWith("guardrail \"something answers\" breached");

        awaitValue("faultline_aborts_total{cause=\"guardrail\"}", v -> v == byGuardrail + 1);
        assertThat(value("faultline_aborts_total{cause=\"user\"}")).isEqualTo(byUser);
        assertThat(value("faultline_breach_to_removal_seconds_count")).isEqualTo(timed + 1);
        assertThat(value("faultline_breach_to_removal_seconds_sum")).isPositive();
    }

    @Test
    void haltingShowsAsHaltedAndReArmingAsNot() {
        assertThat(value("faultline_halted")).isZero();
        asAdmin().contentType(ContentType.JSON).body(Map.of("reason", "metrics test")).post("/api/v1/halt").then().statusCode(200);
        try {
            assertThat(value("faultline_halted")).isEqualTo(1);
        } finally {
            asAdmin().delete("/api/v1/halt").then().statusCode(200);
        }
        assertThat(value("faultline_halted")).isZero();
    }

    @Test
    void aScraperWithoutCredentialsReadsEveryMetricAndNoNameOrSecret() {
        String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();

        for (String series : List.of("faultline_runs_live", "faultline_rules_live", "faultline_rules_needing_cleanup",
                "faultline_database_reachable", "faultline_kubernetes_reachable", "faultline_halted",
                "faultline_runs_ended_total{verdict=\"COMPLETED\"}", "faultline_runs_ended_total{verdict=\"CANCELLED\"}",
                "faultline_aborts_total{cause=\"guardrail\"}", "faultline_aborts_total{cause=\"user\"}",
                "faultline_aborts_total{cause=\"kill_switch\"}", "faultline_aborts_total{cause=\"owner_lost\"}",
                "faultline_aborts_total{cause=\"database_lost\"}", "faultline_breach_to_removal_seconds_count",
                "faultline_guardrail_query_seconds_count", "faultline_guardrail_query_failures_total{kind=\"unreachable\"}",
                "faultline_reconciler_sweeps_total", "faultline_reconciler_rules_removed_total")) {
            assertThat(valueIn(scrape, series)).as(series).isPresent();
        }
        assertThat(valueIn(scrape, "faultline_database_reachable")).hasValue(1);
        assertThat(valueIn(scrape, "faultline_kubernetes_reachable")).hasValue(1);
        assertThat(valueIn(scrape, "faultline_reconciler_sweeps_total").getAsDouble()).isPositive();
        assertThat(scrape).doesNotContain(TestApi.ADMIN_PASSWORD).doesNotContain("metrics-private-reason")
                .doesNotContain("configured-channel-secret-path");
    }

    @Test
    void everyAlertOfTheRulesFileNamesMetricsFaultlineExposes() throws IOException {
        JsonNode rule = new ObjectMapper(new YAMLFactory()).readTree(Path.of("deploy/prometheus-rules.yaml").toFile());
        assertThat(rule.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(rule.path("kind").asText()).isEqualTo("PrometheusRule");
        List<String> alerts = new ArrayList<>();
        Set<String> named = new TreeSet<>();
        for (JsonNode group : rule.path("spec").path("groups")) {
            for (JsonNode alert : group.path("rules")) {
                alerts.add(alert.path("alert").asText());
                Matcher metric = METRIC.matcher(alert.path("expr").asText());
                assertThat(metric.find()).as("the expr of %s names a Faultline metric", alert.path("alert").asText()).isTrue();
                do {
                    named.add(metric.group());
                } while (metric.find());
            }
        }
        assertThat(alerts).contains("FaultlineRuleNeedsCleanup", "FaultlineDatabaseUnreachable", "FaultlineHaltLeftOn",
                "FaultlineKubernetesUnreachable");

        String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Set<String> exposed = new TreeSet<>();
        Matcher sample = Pattern.compile("(?m)^(faultline_[a-z_]+)[ {]").matcher(scrape);
        while (sample.find()) {
            exposed.add(sample.group(1));
        }
        assertThat(exposed).containsAll(named);
    }

    /** A loopback port nothing listens on: a guardrail asking it for 200 fails at its first check. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String store(TestExperiments experiment) {
        asAdmin().contentType(TestApi.YAML).body(experiment.yaml()).post("/api/v1/experiments").then().statusCode(201);
        return experiment.name();
    }

    private static String start(String experiment) {
        return asAdmin().contentType(ContentType.JSON).body("{}").post("/api/v1/experiments/" + experiment + "/runs").then()
                .statusCode(202).extract().path("id");
    }

    /** The value of one series, scraped now as Prometheus would, without credentials. */
    private static double value(String series) {
        String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return valueIn(scrape, series).orElseThrow(() -> new AssertionError(series + " is not in /q/metrics"));
    }

    /** Waits up to 10 s (endings are counted by an asynchronous observer) for a series' value to satisfy {@code expected}. */
    private static void awaitValue(String series, DoublePredicate expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        double last;
        do {
            last = value(series);
            if (expected.test(last)) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError(series + " is " + last);
    }

    private static OptionalDouble valueIn(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return OptionalDouble.of(Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]));
            }
        }
        return OptionalDouble.empty();
    }
}

package dev.faultline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToLongFunction;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.faultline.testing.IstioFixtures;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * How fast Faultline takes a fault out of the mesh.
 *
 * <pre>
 *   ./mvnw -Pbench test [-Dbench.load=500] [-Dbench.breaches=15] [-Dbench.halts=3]
 * </pre>
 *
 * Faultline runs as in the test suite (embedded PostgreSQL, the fabric8 mock API server in CRUD
 * mode, the real Prometheus scraping gauges every second). Each measured run has three guardrails
 * checked every second; the benchmark sets its error-ratio gauge over the threshold and, polling
 * Prometheus every 5 ms itself, notes the moment the breach is visible there. The figure is from that
 * moment to the rule's removal acknowledged by the API server ({@code removedAt} of the run's rule,
 * stamped when the API server has answered the removal), split into detection (to the failing
 * check) and removal. It is measured with the run alone, then with {@code bench.load} live runs of
 * three guardrails each (distinct queries: 3 × load queries a second to Prometheus), and then the
 * kill switch is pressed with {@code bench.load} live runs, {@code bench.halts} times. Prints every
 * sample and the medians.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = BenchStack.class, restrictToAnnotatedClass = true)
@TestProfile(AbortLatencyBench.Profile.class)
class AbortLatencyBench {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("faultline.policy.allowed-namespaces", NAMESPACE,
                    "faultline.guardrails.default-interval", "PT1S",
                    "quarkus.kubernetes-client.request-timeout", "PT5S",
                    "quarkus.http.access-log.enabled", "false",
                    "quarkus.log.category.\"dev.faultline\".level", "WARN",
                    "quarkus.log.category.\"io.fabric8.mockwebserver\".level", "WARN");
        }
    }

    private static final String NAMESPACE = "bench";
    private static final String VICTIM = "victim";
    private static final int LOAD = Integer.getInteger("bench.load", 500);
    private static final int BREACHES = Integer.getInteger("bench.breaches", 15);
    private static final int HALTS = Integer.getInteger("bench.halts", 3);
    private static final ObjectMapper JSON = new ObjectMapper();

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    TestDatabase database;

    private String token;
    private final HttpClient http = HttpClient.newHttpClient();

    /** One breach: visible in Prometheus, seen failing by Faultline's check, rule removal acknowledged. */
    record Breach(Instant visible, Instant detected, Instant removed) {
        long detectMillis() {
            return Duration.between(visible, detected).toMillis();
        }

        long removeMillis() {
            return Duration.between(detected, removed).toMillis();
        }

        long totalMillis() {
            return Duration.between(visible, removed).toMillis();
        }
    }

    @Test
    void breachToRemovalAndHaltAll() throws Exception {
        TestApi.sendYamlAsText();
        database.clear();
        token = createToken();
        List<String> background = new ArrayList<>();
        for (int i = 1; i < LOAD; i++) {
            background.add("svc-" + i);
        }
        List<String> services = new ArrayList<>(background);
        services.add(VICTIM);
        seed(server.getClient(), services);
        services.forEach(BenchStack.exporter::healthy);
        services.forEach(this::createExperiment);
        awaitSeries(services.size());

        System.out.printf("%nFaultline abort benchmark: %d breach(es) per phase, %d live runs under load, %d halt(s); "
                + "%d cores%n", BREACHES, LOAD, HALTS, Runtime.getRuntime().availableProcessors());

        List<Breach> alone = breaches("alone");

        Instant loadStart = Instant.now();
        List<String> runs = startRuns(background);
        awaitObserving(runs);
        System.out.printf("%d background runs started and OBSERVING in %d ms%n", runs.size(),
                Duration.between(loadStart, Instant.now()).toMillis());
        Thread.sleep(3000);
        long before = samples();
        Thread.sleep(10_000);
        System.out.printf("guardrail checks recorded under load: %.0f per second (%d guardrails at 1 s)%n",
                (samples() - before) / 10.0, 3 * (runs.size() + 1));
        List<Breach> loaded = breaches("with " + LOAD + " live runs");

        List<long[]> halts = new ArrayList<>();
        BenchStack.exporter.healthy(VICTIM);
        awaitErrorRatio(VICTIM, value -> value < 0.05);
        for (int h = 0; h < HALTS; h++) {
            if (h > 0) {
                runs = startRuns(background);
                awaitObserving(runs);
            }
            List<String> all = new ArrayList<>(runs);
            all.addAll(startRuns(List.of(VICTIM)));
            awaitObserving(all);
            halts.add(halt(all));
        }

        System.out.printf("%n== breach visible in Prometheus -> rule removal acknowledged (guardrail interval 1 s) ==%n");
        summary("alone", alone);
        summary("with " + LOAD + " live runs x 3 guardrails", loaded);
        System.out.printf("== halt-all with %d live runs ==%n", LOAD);
        System.out.printf("  POST /api/v1/halt answered in ms: %s -> median %d ms%n", column(halts, 0), median(halts, h -> h[0]));
        System.out.printf("  last rule removal acknowledged after ms: %s -> median %d ms%n", column(halts, 1),
                median(halts, h -> h[1]));
    }

    private List<Breach> breaches(String phase) throws Exception {
        List<Breach> breaches = new ArrayList<>();
        for (int i = 0; i < BREACHES; i++) {
            BenchStack.exporter.healthy(VICTIM);
            awaitErrorRatio(VICTIM, value -> value < 0.05);
            // the run (and so its guardrail checks) starts at a random phase to Prometheus's scrapes, as in real
            // life; starting right after a scrape would put every check just after the breach becomes visible
            Thread.sleep((long) (Math.random() * 1000));
            String run = startRuns(List.of(VICTIM)).get(0);
            awaitObserving(List.of(run));
            Thread.sleep(1500);
            BenchStack.exporter.set(GaugeExporter.ERROR_RATIO, VICTIM, 0.5);
            Instant visible = awaitErrorRatio(VICTIM, value -> value > 0.05);
            JsonNode ended = awaitEnded(run);
            assertThat(ended.path("state").asText()).as("run %s: %s", run, ended.path("reason")).isEqualTo("ABORTED");
            Instant removed = Instant.parse(ended.path("rules").get(0).path("removedAt").asText());
            Instant detected = firstFailedCheck(run);
            Breach breach = new Breach(visible, detected, removed);
            breaches.add(breach);
            System.out.printf("  %s #%d: detected %d ms + removed %d ms = %d ms%n", phase, i + 1, breach.detectMillis(),
                    breach.removeMillis(), breach.totalMillis());
        }
        return breaches;
    }

    private long[] halt(List<String> runs) throws Exception {
        Instant pressed = Instant.now();
        long start = System.nanoTime();
        api().contentType(ContentType.JSON).body("{\"reason\":\"benchmark\"}").post("/api/v1/halt").then().statusCode(200);
        long answered = (System.nanoTime() - start) / 1_000_000;
        Instant lastRemoved = pressed;
        for (String run : runs) {
            JsonNode ended = awaitEnded(run);
            assertThat(ended.path("state").asText()).isEqualTo("ABORTED");
            for (JsonNode rule : ended.path("rules")) {
                Instant removed = Instant.parse(rule.path("removedAt").asText());
                lastRemoved = removed.isAfter(lastRemoved) ? removed : lastRemoved;
            }
        }
        long faultRoutes = IstioFixtures.virtualServices(server.getClient(), NAMESPACE).stream()
                .flatMap(vs -> iterable(vs.path("spec").path("http")).stream())
                .filter(route -> route.path("name").asText().startsWith("faultline-")).count();
        assertThat(faultRoutes).as("Faultline routes left after halt").isZero();
        api().delete("/api/v1/halt").then().statusCode(200);
        long last = Duration.between(pressed, lastRemoved).toMillis();
        System.out.printf("  halt with %d live runs: answered in %d ms, last removal acknowledged after %d ms%n", runs.size(),
                answered, last);
        return new long[] { answered, last };
    }

    private List<String> startRuns(List<String> experiments) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> started = new ArrayList<>();
            for (String experiment : experiments) {
                started.add(pool.submit(() -> api().post("/api/v1/experiments/" + experiment + "/runs").then().statusCode(202)
                        .extract().path("id")));
            }
            List<String> ids = new ArrayList<>();
            for (Future<String> id : started) {
                ids.add(id.get());
            }
            return ids;
        } finally {
            pool.shutdown();
        }
    }

    private void awaitObserving(List<String> runs) throws InterruptedException {
        for (String run : runs) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                JsonNode read = read(run);
                String state = read.path("state").asText();
                if (state.equals("OBSERVING")) {
                    break;
                }
                if (read.path("verdict").isTextual() || System.nanoTime() > deadline) {
                    throw new AssertionError("run " + run + " is " + state + ": " + read.path("reason"));
                }
                Thread.sleep(20);
            }
        }
    }

    private JsonNode awaitEnded(String run) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode read = read(run);
            if (read.path("verdict").isTextual()) {
                return read;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("run " + run + " did not end");
    }

    private JsonNode read(String run) {
        try {
            return JSON.readTree(api().get("/api/v1/runs/" + run).then().statusCode(200).extract().asString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** When Faultline's check first found the error-ratio guardrail failing. */
    private Instant firstFailedCheck(String run) throws Exception {
        JsonNode samples = JSON.readTree(api().get("/api/v1/runs/" + run + "/samples").then().statusCode(200).extract().asString());
        for (JsonNode sample : samples) {
            if (sample.path("check").asText().equals("spec.guardrails[0]") && !sample.path("passed").asBoolean()) {
                return Instant.parse(sample.path("at").asText());
            }
        }
        throw new AssertionError("run " + run + " has no failed check of its error-ratio guardrail: " + samples);
    }

    /** Polls Prometheus every 5 ms until the victim's error ratio satisfies {@code condition}; when it first did. */
    private Instant awaitErrorRatio(String service, java.util.function.DoublePredicate condition) throws Exception {
        URI query = BenchStack.prometheus.url().resolve("api/v1/query?query="
                + URLEncoder.encode(GaugeExporter.ERROR_RATIO + "{service=\"" + service + "\"}", StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(query).build(), HttpResponse.BodyHandlers.ofString());
            Instant at = Instant.now();
            JsonNode result = JSON.readTree(response.body()).path("data").path("result");
            if (result.size() == 1 && condition.test(result.get(0).path("value").get(1).asDouble())) {
                return at;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("Prometheus never showed the expected error ratio of " + service);
    }

    private void awaitSeries(int expected) throws Exception {
        URI query = BenchStack.prometheus.url().resolve("api/v1/query?query="
                + URLEncoder.encode("count(" + GaugeExporter.REQUEST_RATE + ")", StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode result = JSON.readTree(http.send(HttpRequest.newBuilder(query).build(), HttpResponse.BodyHandlers.ofString())
                    .body()).path("data").path("result");
            if (result.size() == 1 && result.get(0).path("value").get(1).asInt() == expected) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Prometheus never had the " + expected + " services' series");
    }

    private long samples() {
        return database.count("run_sample");
    }

    private void createExperiment(String service) {
        String yaml = """
                apiVersion: faultline.dev/v1
                kind: Experiment
                metadata:
                  name: %1$s
                spec:
                  target: { namespace: %2$s, service: %1$s }
                  faults:
                    - abort: { httpStatus: 503, percentage: 10 }
                  duration: 30m
                  guardrails:
                    - name: error ratio
                      prometheus: { query: '%3$s{service="%1$s"}' }
                      tolerance: { below: 0.05 }
                    - name: p99 latency
                      prometheus: { query: '%4$s{service="%1$s"}' }
                      tolerance: { below: 500 }
                    - name: request rate
                      prometheus: { query: '%5$s{service="%1$s"}' }
                      tolerance: { above: 1 }
                """.formatted(service, NAMESPACE, GaugeExporter.ERROR_RATIO, GaugeExporter.LATENCY_P99, GaugeExporter.REQUEST_RATE);
        api().contentType(TestApi.YAML).body(yaml).post("/api/v1/experiments").then().statusCode(201);
    }

    /** A Service and a VirtualService with one route for each service, as a user's mesh would have. */
    private static void seed(KubernetesClient client, List<String> services) {
        for (String service : services) {
            client.services().inNamespace(NAMESPACE).resource(new ServiceBuilder().withNewMetadata().withName(service)
                    .withNamespace(NAMESPACE).endMetadata().withNewSpec().addNewPort().withName("http").withPort(9080).endPort()
                    .addToSelector("app", service).endSpec().build()).create();
            Map<String, Object> vs = Map.of("apiVersion", "networking.istio.io/v1", "kind", "VirtualService",
                    "metadata", Map.of("name", service, "namespace", NAMESPACE),
                    "spec", Map.of("hosts", List.of(service), "http", List.of(Map.of("name", "primary",
                            "route", List.of(Map.of("destination", Map.of("host", service, "port", Map.of("number", 9080))))))));
            client.genericKubernetesResources(IstioFixtures.VIRTUAL_SERVICES).inNamespace(NAMESPACE)
                    .resource(client.getKubernetesSerialization().convertValue(vs, GenericKubernetesResource.class)).create();
        }
    }

    private String createToken() {
        return TestApi.asAdmin().contentType(ContentType.JSON).body("{\"name\":\"bench\",\"expiresIn\":\"1d\"}")
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
    }

    /** Requests with the admin's API token: a bcrypt check per request would dominate the figures. */
    private RequestSpecification api() {
        return RestAssured.given().header("Authorization", "Bearer " + token);
    }

    private static void summary(String phase, List<Breach> breaches) {
        System.out.printf("  %-40s median %4d ms (detect %d + remove %d), p90 %4d ms, max %4d ms over %d breaches%n", phase,
                median(breaches, Breach::totalMillis), median(breaches, Breach::detectMillis), median(breaches, Breach::removeMillis),
                percentile(breaches, Breach::totalMillis, 0.9), percentile(breaches, Breach::totalMillis, 1.0), breaches.size());
    }

    private static <T> long median(List<T> values, ToLongFunction<T> of) {
        return percentile(values, of, 0.5);
    }

    private static <T> long percentile(List<T> values, ToLongFunction<T> of, double p) {
        List<Long> sorted = new ArrayList<>(values.stream().map(of::applyAsLong).toList());
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank)));
    }

    private static String column(List<long[]> rows, int index) {
        return rows.stream().map(row -> String.format(Locale.ROOT, "%d", row[index])).toList().toString();
    }

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items;
    }
}

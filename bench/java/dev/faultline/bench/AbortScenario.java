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

import dev.faultline.metrics.GoldenSignal;
import dev.faultline.testing.IstioFixtures;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * How fast Faultline takes a fault out of the mesh: the scenario both abort benchmarks run, one with the guardrail
 * checks in step with the scrape ({@link AbortLatencyBench}), one on the timer ({@link AbortLatencyTimerBench}).
 *
 * <pre>
 *   ./mvnw -Pbench test [-Dbench.load=2000] [-Dbench.breaches=10] [-Dbench.halts=1]
 * </pre>
 *
 * Faultline runs as in the test suite (embedded PostgreSQL, the fabric8 mock API server in CRUD mode, the real
 * Prometheus scraping {@link BenchStack#TARGETS} mesh exporters every second). Every run has three golden-signal
 * guardrails checked every second (error rate, p99 latency, request rate of its service, over 10 s). The benchmark
 * makes the victim service fail and, polling Prometheus every 5 ms with the guardrail's own PromQL, notes the moment
 * the breach is visible there. The figure is from that moment to the rule's removal acknowledged by the API server
 * ({@code removedAt} of the run's rule), split into detection (to the failing check) and removal. It is measured with
 * the run alone, then with {@code bench.load} live runs (three guardrails each); the queries Faultline sends to
 * Prometheus are counted by Prometheus itself ({@code prometheus_http_requests_total}) over quiet 10 s windows; then
 * the kill switch is pressed with {@code bench.load} live runs, {@code bench.halts} times. Prints every sample, the
 * medians and, in the second of the two benchmarks, the ratio of the two modes.
 */
abstract class AbortScenario {

    static final String NAMESPACE = BenchStack.NAMESPACE;
    static final int LOAD = Integer.getInteger("bench.load", 2000);
    private static final String VICTIM = "victim";
    private static final int BREACHES = Integer.getInteger("bench.breaches", 10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WINDOW = Duration.ofSeconds(10);

    /** The configuration both modes share, and whether checks follow the scrape. */
    static Map<String, String> overrides(boolean alignToScrape) {
        return Map.of("faultline.policy.allowed-namespaces", NAMESPACE,
                "faultline.guardrails.default-interval", "PT1S",
                "faultline.guardrails.align-to-scrape", String.valueOf(alignToScrape),
                "faultline.run.max-live", String.valueOf(LOAD + 10),
                // the mock API server slows down with thousands of objects in it
                "quarkus.kubernetes-client.request-timeout", "PT30S",
                // on a 2-core machine that also runs Prometheus, the mock API and the benchmark, a query can take a while
                "faultline.metrics.timeout", "PT5S",
                "quarkus.http.access-log.enabled", "false",
                "quarkus.log.category.\"dev.faultline\".level", "WARN",
                "quarkus.log.category.\"io.fabric8.mockwebserver\".level", "WARN");
    }

    /** {@code aligned} or {@code timer}, as printed. */
    abstract String mode();

    /** How many times the kill switch is pressed with the load. */
    abstract int halts();

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
        services.forEach(service -> BenchStack.exporter(service).healthy(service));
        services.forEach(this::createExperiment);
        awaitSeries(services.size());

        System.out.printf("%nFaultline abort benchmark, checks %s: %d breach(es) per phase, %d live runs under load, %d halt(s); "
                + "%d cores%n", mode(), BREACHES, LOAD, halts(), Runtime.getRuntime().availableProcessors());

        List<Breach> alone = breaches("alone", true);

        Instant loadStart = Instant.now();
        List<String> runs = startRuns(background);
        awaitObserving(runs);
        System.out.printf("%d background runs started and OBSERVING in %d ms%n", runs.size(),
                Duration.between(loadStart, Instant.now()).toMillis());
        Thread.sleep(5000);
        long samplesBefore = samples();
        double queriesBefore = BenchStack.prometheus.queriesAnswered();
        Thread.sleep(10_000);
        double loadQueries = (BenchStack.prometheus.queriesAnswered() - queriesBefore) / 10.0;
        System.out.printf("with %d live runs: %.0f guardrail checks a second recorded (%d guardrails at 1 s), "
                + "Prometheus answered %.1f queries a second%n", runs.size(), (samples() - samplesBefore) / 10.0, 3 * runs.size(),
                loadQueries);
        List<Breach> loaded = breaches("with " + LOAD + " live runs", false);

        List<long[]> halts = new ArrayList<>();
        for (int h = 0; h < halts(); h++) {
            if (h > 0) {
                runs = startRuns(background);
                awaitObserving(runs);
            }
            List<String> all = new ArrayList<>(runs);
            BenchStack.exporter(VICTIM).healthy(VICTIM);
            awaitErrorRate(value -> value < 0.05);
            all.addAll(startRuns(List.of(VICTIM)));
            awaitObserving(all);
            halts.add(halt(all));
        }

        System.out.printf("%n== checks %s: breach visible in Prometheus -> rule removal acknowledged (guardrail interval 1 s) ==%n",
                mode());
        summary("alone", alone);
        summary("with " + LOAD + " live runs x 3 guardrails", loaded);
        System.out.printf("  Prometheus queries a second from Faultline: one run %.1f, %d runs %.1f%n", aloneQueries, LOAD,
                loadQueries);
        if (!halts.isEmpty()) {
            System.out.printf("== halt-all with %d live runs ==%n", LOAD);
            System.out.printf("  POST /api/v1/halt answered in ms: %s -> median %d ms%n", column(halts, 0), median(halts, h -> h[0]));
            System.out.printf("  last rule removal acknowledged after ms: %s -> median %d ms%n", column(halts, 1),
                    median(halts, h -> h[1]));
        }
        compare("alone", median(alone, Breach::totalMillis));
        compare("load", median(loaded, Breach::totalMillis));
        compare("load-max", percentile(loaded, Breach::totalMillis, 1.0));
        compare("queries", Math.round(loadQueries * 10));
    }

    /**
     * Keeps a figure for the other mode's benchmark (another Quarkus application, so another class loader: a system
     * property is what both see), and prints the ratio when the other mode's figure is there.
     */
    private void compare(String figure, long value) {
        System.setProperty("bench.abort." + mode() + "." + figure, Long.toString(value));
        String aligned = System.getProperty("bench.abort.aligned." + figure);
        String timer = System.getProperty("bench.abort.timer." + figure);
        if (aligned != null && timer != null) {
            System.out.printf("  in this run, %-8s aligned %s / timer %s = %.2f%n", figure, aligned, timer,
                    Double.parseDouble(aligned) / Math.max(1, Double.parseDouble(timer)));
        }
    }

    private double aloneQueries;

    private List<Breach> breaches(String phase, boolean countQueries) throws Exception {
        List<Breach> breaches = new ArrayList<>();
        MeshExporter victim = BenchStack.exporter(VICTIM);
        for (int i = 0; i < BREACHES; i++) {
            victim.healthy(VICTIM);
            awaitErrorRate(value -> value < 0.05);
            // the run (and so its checks on the timer) starts at a random phase to Prometheus's scrapes, as in real life
            Thread.sleep((long) (Math.random() * 1000));
            String run = startRuns(List.of(VICTIM)).get(0);
            awaitObserving(List.of(run));
            if (countQueries && i == 0) {
                Thread.sleep(2000);
                double before = BenchStack.prometheus.queriesAnswered();
                Thread.sleep(10_000);
                aloneQueries = (BenchStack.prometheus.queriesAnswered() - before) / 10.0;
                System.out.printf("  one run alone: Prometheus answered %.1f queries a second; its timeline says:%n", aloneQueries);
                for (JsonNode entry : read(run).path("timeline")) {
                    if (entry.path("type").asText().equals("CHECK_TIMING")) {
                        System.out.printf("    %s%n", entry.path("message").asText());
                    }
                }
            } else {
                Thread.sleep(2500);
            }
            victim.failing(VICTIM);
            Instant visible = awaitErrorRate(value -> value > 0.05);
            JsonNode ended = awaitEnded(run);
            assertThat(ended.path("state").asText()).as("run %s: %s", run, ended.path("reason")).isEqualTo("ABORTED");
            Instant removed = Instant.parse(ended.path("rules").get(0).path("removedAt").asText());
            Instant detected = firstFailedCheck(run);
            Breach breach = new Breach(visible, detected, removed);
            breaches.add(breach);
            System.out.printf("  %s #%d: detected %d ms + removed %d ms = %d ms%n", phase, i + 1, breach.detectMillis(),
                    breach.removeMillis(), breach.totalMillis());
        }
        victim.healthy(VICTIM);
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

    /** Polls Prometheus every 5 ms with the guardrail's own query until the victim's error rate satisfies {@code condition}; when it first did. */
    private Instant awaitErrorRate(java.util.function.DoublePredicate condition) throws Exception {
        String promql = new GoldenSignal(GoldenSignal.Signal.ERROR_RATE, VICTIM, NAMESPACE, WINDOW, GoldenSignal.Reporter.DESTINATION,
                false).promql();
        URI query = BenchStack.prometheus.url().resolve("api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(query).build(), HttpResponse.BodyHandlers.ofString());
            Instant at = Instant.now();
            JsonNode result = JSON.readTree(response.body()).path("data").path("result");
            if (result.size() == 1 && condition.test(result.get(0).path("value").get(1).asDouble())) {
                return at;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("Prometheus never showed the expected error rate of " + VICTIM);
    }

    private void awaitSeries(int expected) throws Exception {
        URI query = BenchStack.prometheus.url().resolve("api/v1/query?query=" + URLEncoder.encode(
                "count(count by (destination_service_name) (rate(istio_requests_total{destination_workload_namespace=\"" + NAMESPACE
                        + "\"}[10s])))", StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode result = JSON.readTree(http.send(HttpRequest.newBuilder(query).build(), HttpResponse.BodyHandlers.ofString())
                    .body()).path("data").path("result");
            if (result.size() == 1 && result.get(0).path("value").get(1).asInt() == expected) {
                Thread.sleep(3000); // rates over the window settle
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
                    - name: error rate
                      goldenSignal: { signal: errorRate, service: %1$s, window: 10s }
                      tolerance: { below: 0.05 }
                    - name: p99 latency
                      goldenSignal: { signal: latencyP99, service: %1$s, window: 10s }
                      tolerance: { below: 500 }
                    - name: request rate
                      goldenSignal: { signal: requestRate, service: %1$s, window: 10s }
                      tolerance: { above: 1 }
                """.formatted(service, NAMESPACE);
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

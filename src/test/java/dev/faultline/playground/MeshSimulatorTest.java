package dev.faultline.playground;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.playground.IstioExporter.Edge;
import dev.faultline.playground.IstioExporter.Traffic;
import dev.faultline.playground.MeshSimulator.Behaviour;
import dev.faultline.playground.MeshSimulator.Settings;
import dev.faultline.playground.MeshSimulator.Topology;
import dev.faultline.testing.IstioFixtures;

/** The simulated data plane against Istio's own Bookinfo samples: routes, matches, weights, faults, timeouts, retries. */
class MeshSimulatorTest {

    private static final Settings TEN_A_SECOND = Settings.defaults();

    @Test
    void allV1SendsEveryRequestToV1AndRatingsGetsNone() {
        Map<Edge, List<Traffic>> traffic = simulate(samples("virtual-service-all-v1"), TEN_A_SECOND);

        assertThat(rate(traffic, "source", "istio-ingressgateway", "productpage", any())).isCloseTo(10, within(1e-9));
        assertThat(rate(traffic, "destination", "productpage-v1", "reviews", any())).isCloseTo(10, within(1e-9));
        assertThat(traffic.keySet()).noneMatch(edge -> edge.service().equals("reviews") && !edge.destinationVersion().equals("v1"));
        assertThat(traffic.keySet()).noneMatch(edge -> edge.service().equals("ratings"));
        assertThat(traffic.values().stream().flatMap(List::stream)).allMatch(t -> t.responseCode() == 200);
    }

    @Test
    void jasonGoesToReviewsV2WhoseCallsToRatingsAreAbortedAndSeenOnlyByTheSource() {
        List<JsonNode> rules = samples("virtual-service-all-v1", "virtual-service-reviews-test-v2", "virtual-service-ratings-test-abort");
        Map<Edge, List<Traffic>> traffic = simulate(rules, TEN_A_SECOND);

        // a fifth of the 10 requests a second is jason's: to reviews v2, whose calls to ratings all answer 500 FI
        assertThat(rate(traffic, "source", "productpage-v1", "reviews", t -> true, "v2")).isCloseTo(2, within(1e-9));
        assertThat(rate(traffic, "source", "reviews-v2", "ratings", t -> t.responseCode() == 500 && t.responseFlags().equals("FI")))
                .isCloseTo(2, within(1e-9));
        assertThat(rate(traffic, "destination", "reviews-v2", "ratings", any())).as("no aborted request reaches ratings").isZero();
        // Bookinfo's reviews shows its page without ratings: its callers see no error
        assertThat(rate(traffic, "source", "productpage-v1", "reviews", t -> t.responseCode() >= 500)).isZero();
    }

    @Test
    void weightsSplitTheRequestsBetweenSubsets() {
        Map<Edge, List<Traffic>> traffic = simulate(samples("virtual-service-all-v1", "virtual-service-reviews-80-20"), TEN_A_SECOND);

        assertThat(rate(traffic, "destination", "productpage-v1", "reviews", t -> true, "v1")).isCloseTo(8, within(1e-9));
        assertThat(rate(traffic, "destination", "productpage-v1", "reviews", t -> true, "v2")).isCloseTo(2, within(1e-9));
        assertThat(rate(traffic, "destination", "productpage-v1", "reviews", t -> true, "v3")).isZero();
        assertThat(rate(traffic, "destination", "reviews-v2", "ratings", any())).isCloseTo(2, within(1e-9));
    }

    @Test
    void aDelayLongerThanTheRoutesTimeoutTurnsIntoA504ForTheCaller() {
        List<JsonNode> rules = allV1With("reviews", """
                metadata: { name: reviews }
                spec:
                  hosts: [reviews]
                  http:
                    - fault: { delay: { fixedDelay: 2s, percentage: { value: 50 } } }
                      timeout: 500ms
                      route: [{ destination: { host: reviews, subset: v1 } }]
                """);
        Map<Edge, List<Traffic>> traffic = simulate(rules, TEN_A_SECOND);

        assertThat(rate(traffic, "source", "productpage-v1", "reviews", t -> t.responseCode() == 504 && t.responseFlags().equals("DI,UT")
                && t.latencyMs() == 500)).isCloseTo(5, within(1e-9));
        assertThat(rate(traffic, "source", "productpage-v1", "reviews", t -> t.responseCode() == 200 && t.latencyMs() == 6))
                .isCloseTo(5, within(1e-9));
        // productpage waits for the timeout on half its requests: its own latency (12 ms) + details (3) + reviews
        assertThat(rate(traffic, "source", "istio-ingressgateway", "productpage", t -> t.latencyMs() == 12 + 3 + 500)).isCloseTo(5, within(1e-9));
        assertThat(rate(traffic, "source", "istio-ingressgateway", "productpage", t -> t.latencyMs() == 12 + 3 + 6)).isCloseTo(5, within(1e-9));
    }

    @Test
    void retriesHideAServicesOwnErrorsFromTheCallerAndCostRequestsAtTheDestination() {
        List<JsonNode> rules = allV1With("reviews", """
                metadata: { name: reviews }
                spec:
                  hosts: [reviews.bookinfo.svc.cluster.local]
                  http:
                    - retries: { attempts: 2, retryOn: 5xx }
                      route: [{ destination: { host: reviews, subset: v1 } }]
                """);
        Map<Edge, List<Traffic>> traffic = simulate(rules, TEN_A_SECOND.with("reviews", new Behaviour(0.5, 6)));

        // three tries: the caller sees 0.5^3 of the requests fail
        assertThat(rate(traffic, "source", "productpage-v1", "reviews", t -> t.responseCode() == 503)).isCloseTo(1.25, within(1e-9));
        // each request costs 1 + 0.5 + 0.25 tries at the destination
        assertThat(rate(traffic, "destination", "productpage-v1", "reviews", any())).isCloseTo(17.5, within(1e-9));
    }

    @Test
    void aServicesOwnErrorsAndLatencyShowAtItsDestination() {
        Map<Edge, List<Traffic>> traffic = simulate(samples("virtual-service-all-v1"),
                TEN_A_SECOND.with("details", new Behaviour(0.2, 300)));

        assertThat(rate(traffic, "destination", "productpage-v1", "details", t -> t.responseCode() == 503)).isCloseTo(2, within(1e-9));
        assertThat(rate(traffic, "destination", "productpage-v1", "details", t -> t.latencyMs() == 300)).isCloseTo(10, within(1e-9));
    }

    @Test
    void aMatchThatNoRouteTakesAnswers404NoRoute() {
        List<JsonNode> rules = allV1With("details", """
                metadata: { name: details }
                spec:
                  hosts: [details]
                  http:
                    - match: [{ headers: { end-user: { exact: jason } } }]
                      route: [{ destination: { host: details, subset: v1 } }]
                """);
        Map<Edge, List<Traffic>> traffic = simulate(rules, TEN_A_SECOND);

        assertThat(rate(traffic, "source", "productpage-v1", "details", t -> t.responseCode() == 404 && t.responseFlags().equals("NR")))
                .isCloseTo(8, within(1e-9));
    }

    @Test
    void publishesThroughTheExportersWhatTheRulesInTheClusterSay() throws Exception {
        var responses = new java.util.HashMap<io.fabric8.mockwebserver.ServerRequest, java.util.Queue<io.fabric8.mockwebserver.ServerResponse>>();
        var cluster = new io.fabric8.kubernetes.client.server.mock.KubernetesMockServer(new io.fabric8.mockwebserver.Context(),
                new io.fabric8.mockwebserver.MockWebServer(), responses,
                new io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher(responses), false);
        cluster.init();
        try (var client = cluster.createClient(); IstioExporter exporter = new IstioExporter();
                MeshSimulator simulator = new MeshSimulator(client, Playground.NAMESPACE, Topology.bookinfo(),
                        Map.of("productpage", exporter, "reviews", exporter), TEN_A_SECOND, false, Duration.ofMillis(20))) {
            Playground.seed(client);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (Math.abs(rate(simulator.traffic(), "destination", "productpage-v1", "reviews", t -> true, "v1") - 8) > 1e-9
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            // seeded as Istio's fault-injection task routes Bookinfo: jason's fifth of the requests to reviews v2, on to ratings
            assertThat(rate(simulator.traffic(), "destination", "productpage-v1", "reviews", t -> true, "v2")).isCloseTo(2, within(1e-9));
            assertThat(rate(simulator.traffic(), "destination", "productpage-v1", "reviews", t -> true, "v1")).isCloseTo(8, within(1e-9));
            assertThat(rate(simulator.traffic(), "destination", "reviews-v2", "ratings", any())).isCloseTo(2, within(1e-9));

            // half of the requests jason's: by user, reviews v2 gets half of them
            simulator.settings(new Settings(10, 0.5, TEN_A_SECOND.services()));
            while (Math.abs(rate(simulator.traffic(), "destination", "productpage-v1", "reviews", t -> true, "v2") - 5) > 1e-9
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(rate(simulator.traffic(), "destination", "productpage-v1", "reviews", t -> true, "v2")).isCloseTo(5, within(1e-9));
            // by the 80/20 split (not by user), a fifth; no other state on the way gives a fifth (none while the
            // VirtualService is replaced: a third each)
            IstioFixtures.route(client, Playground.NAMESPACE, "virtual-service-reviews-80-20");
            while (Math.abs(rate(simulator.traffic(), "destination", "productpage-v1", "reviews", t -> true, "v2") - 2) > 1e-9
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(rate(simulator.traffic(), "destination", "productpage-v1", "reviews", t -> true, "v2")).isCloseTo(2, within(1e-9));
            Thread.sleep(300);
            String scraped = new String(new java.net.URL("http://127.0.0.1:" + exporter.port() + "/metrics").openStream().readAllBytes());
            assertThat(scraped).contains("destination_workload=\"reviews-v2\"").contains("source_workload=\"istio-ingressgateway\"")
                    .doesNotContain("destination_service_name=\"details\"");
        } finally {
            cluster.destroy();
        }
    }

    @Test
    void aServiceWithoutAFallbackPassesAFailedCallOnAndARetryOfItAsksAgain() {
        Topology chain = Topology.chain(List.of("productpage", "reviews", "ratings"));
        List<JsonNode> aborted = allV1With("ratings", """
                metadata: { name: ratings }
                spec:
                  hosts: [ratings]
                  http:
                    - fault: { abort: { httpStatus: 503, percentage: { value: 50 } } }
                      route: [{ destination: { host: ratings, subset: v1 } }]
                """);
        Map<Edge, List<Traffic>> traffic = simulate(chain, aborted, TEN_A_SECOND);

        assertThat(rate(traffic, "source", "reviews-v1", "ratings", t -> t.responseFlags().equals("FI"))).isCloseTo(5, within(1e-9));
        assertThat(rate(traffic, "source", "productpage-v1", "reviews", t -> t.responseCode() == 500)).as("reviews passes it on")
                .isCloseTo(5, within(1e-9));
        assertThat(rate(traffic, "source", "istio-ingressgateway", "productpage", t -> t.responseCode() == 500)).as("and productpage")
                .isCloseTo(5, within(1e-9));

        // a retry of reviews' 500 calls ratings again (Istio never retries its own injected abort, but this is reviews' answer)
        List<JsonNode> retried = new ArrayList<>(aborted);
        retried.removeIf(vs -> vs.path("metadata").path("name").asText().equals("reviews"));
        retried.add(IstioFixtures.yaml("""
                metadata: { name: reviews }
                spec:
                  hosts: [reviews]
                  http:
                    - retries: { attempts: 2, retryOn: 5xx }
                      route: [{ destination: { host: reviews, subset: v1 } }]
                """));
        Map<Edge, List<Traffic>> withRetries = simulate(chain, retried, TEN_A_SECOND);
        assertThat(rate(withRetries, "source", "productpage-v1", "reviews", t -> t.responseCode() == 500)).as("0.5^3 of the requests")
                .isCloseTo(1.25, within(1e-9));
        assertThat(rate(withRetries, "source", "productpage-v1", "reviews", t -> t.responseCode() == 200)).isCloseTo(8.75, within(1e-9));
    }

    private static Map<Edge, List<Traffic>> simulate(List<JsonNode> virtualServices, Settings settings) {
        return simulate(Topology.bookinfo(), virtualServices, settings);
    }

    private static Map<Edge, List<Traffic>> simulate(Topology topology, List<JsonNode> virtualServices, Settings settings) {
        List<JsonNode> destinationRules = new ArrayList<>(IstioFixtures.documents("destination-rule-all"));
        try (MeshSimulator simulator = new MeshSimulator(null, "bookinfo", topology, Map.of(), settings, false,
                Duration.ofDays(1))) {
            return simulator.simulate(virtualServices, destinationRules, settings);
        }
    }

    /** Bookinfo's all-v1 VirtualServices with {@code service}'s replaced by {@code yaml}. */
    private static List<JsonNode> allV1With(String service, String yaml) {
        List<JsonNode> rules = new ArrayList<>(samples("virtual-service-all-v1"));
        rules.removeIf(vs -> vs.path("metadata").path("name").asText().equals(service));
        rules.add(IstioFixtures.yaml(yaml));
        return rules;
    }

    /** The Bookinfo samples' VirtualServices, a later one replacing an earlier one of the same name. */
    private static List<JsonNode> samples(String... names) {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (String name : names) {
            IstioFixtures.documents(name).forEach(vs -> byName.put(vs.path("metadata").path("name").asText(), vs));
        }
        return List.copyOf(byName.values());
    }

    private static Predicate<Traffic> any() {
        return t -> true;
    }

    private static double rate(Map<Edge, List<Traffic>> traffic, String reporter, String source, String service, Predicate<Traffic> which) {
        return rate(traffic, reporter, source, service, which, null);
    }

    private static double rate(Map<Edge, List<Traffic>> traffic, String reporter, String source, String service, Predicate<Traffic> which,
            String version) {
        return traffic.entrySet().stream()
                .filter(e -> e.getKey().reporter().equals(reporter) && e.getKey().sourceWorkload().equals(source)
                        && e.getKey().service().equals(service) && (version == null || e.getKey().destinationVersion().equals(version)))
                .flatMap(e -> e.getValue().stream()).filter(which).mapToDouble(Traffic::perSecond).sum();
    }
}

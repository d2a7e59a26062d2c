package dev.faultline.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.faultline.metrics.QueryResult;
import dev.faultline.metrics.Series;
import dev.faultline.resilience.Impact.Edge;
import dev.faultline.resilience.Impact.Level;
import dev.faultline.resilience.Impact.Traffic;

/** How Prometheus's answers become edges and how an edge's change is judged, figure by figure. */
class ImpactQueriesTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    @Test
    void aWindowIsReadByThreeQueriesOverItsOwnLengthWhateverTheNumberOfEdges() {
        assertThat(ImpactQueries.requests("bookinfo", MINUTE)).isEqualTo("sum by (reporter, source_workload, source_workload_namespace, "
                + "source_canonical_service, destination_service_name, destination_service_namespace, response_code, response_flags) "
                + "(rate(istio_requests_total{destination_service_namespace=\"bookinfo\"}[60000ms]))");
        assertThat(ImpactQueries.quantile("0.99", "bookinfo", MINUTE)).startsWith("histogram_quantile(0.99, sum by (le, reporter, ")
                .endsWith("(rate(istio_request_duration_milliseconds_bucket{destination_service_namespace=\"bookinfo\"}[60000ms])))");
    }

    /** One series of the request query: an edge as {@code reporter} saw it, answering {@code code} with {@code flags}. */
    private static Series requests(String reporter, String source, String destination, String code, String flags, double rate) {
        return new Series(Map.of("reporter", reporter, "source_workload", source + "-v1", "source_workload_namespace", "bookinfo",
                "source_canonical_service", source, "destination_service_name", destination, "destination_service_namespace", "bookinfo",
                "response_code", code, "response_flags", flags), rate);
    }

    private static Series quantile(String reporter, String source, String destination, double millis) {
        return new Series(Map.of("reporter", reporter, "source_workload", source + "-v1", "source_workload_namespace", "bookinfo",
                "source_canonical_service", source, "destination_service_name", destination, "destination_service_namespace", "bookinfo"),
                millis);
    }

    private static QueryResult values(Series... series) {
        return new QueryResult.Values("q", List.of(series));
    }

    @Test
    void injectedAbortsCountInTheErrorRateAndAreLeftOutOfTheRateWithoutThem() {
        var traffic = ImpactQueries.traffic(values(
                requests("source", "productpage", "reviews", "200", "-", 6),
                requests("source", "productpage", "reviews", "503", "FI", 3),
                requests("source", "productpage", "reviews", "503", "-", 1),
                requests("source", "productpage", "reviews", "200", "DI", 2)),
                values(quantile("source", "productpage", "reviews", 25)), values(quantile("source", "productpage", "reviews", 990)));
        Traffic seen = traffic.values().iterator().next().get("source");
        assertThat(seen.requestRate()).isEqualTo(12.0);
        assertThat(seen.errorRate()).isCloseTo(4.0 / 12, within(1e-9));
        assertThat(seen.errorRateExcludingInjected()).as("1 own error of the 7 requests neither aborted nor delayed on purpose")
                .isCloseTo(1.0 / 7, within(1e-9));
        assertThat(seen.latencyP50()).isEqualTo(25.0);
        assertThat(seen.latencyP99()).isEqualTo(990.0);
    }

    @Test
    void anEdgeIsReadFromTheCallersProxyThenTheWaypointThenTheDestinations() {
        var before = ImpactQueries.traffic(values(
                requests("destination", "productpage", "reviews", "200", "-", 10),
                requests("source", "productpage", "reviews", "200", "-", 10),
                requests("waypoint", "productpage", "reviews", "200", "-", 10),
                requests("waypoint", "reviews", "ratings", "200", "-", 5),
                requests("destination", "reviews", "ratings", "200", "-", 5),
                requests("destination", "istio-ingressgateway", "productpage", "200", "-", 1)), values(), values());
        // during the fault the caller's proxy answers half of the calls itself; the destination sees only the rest
        var during = ImpactQueries.traffic(values(
                requests("destination", "productpage", "reviews", "200", "-", 5),
                requests("source", "productpage", "reviews", "200", "-", 5),
                requests("source", "productpage", "reviews", "503", "FI", 5),
                requests("waypoint", "productpage", "reviews", "200", "-", 10),
                requests("waypoint", "reviews", "ratings", "200", "-", 5),
                requests("destination", "istio-ingressgateway", "productpage", "200", "-", 1)), values(), values());
        List<Edge> edges = ImpactQueries.edges(before, during, null, "bookinfo", "reviews");
        assertThat(edges).extracting(edge -> edge.sourceService() + "->" + edge.destination() + "@" + edge.reporter())
                .containsExactly("productpage->reviews@source", "istio-ingressgateway->productpage@destination", "reviews->ratings@waypoint");
        Edge target = edges.get(0);
        assertThat(target.target()).isTrue();
        assertThat(target.during().errorRate()).isEqualTo(0.5);
        assertThat(target.change().level()).isEqualTo(Level.LARGE);
        assertThat(target.change().errorRatePoints()).isEqualTo(0.5);
        assertThat(target.after()).isNull();
        assertThat(edges.subList(1, 3)).allSatisfy(edge -> {
            assertThat(edge.target()).isFalse();
            assertThat(edge.change().level()).isEqualTo(Level.NONE);
        });
    }

    private static Traffic traffic(double rate, Double errorRate, Double p99) {
        return new Traffic(rate, errorRate, errorRate, p99 == null ? null : p99 / 2, p99);
    }

    @Test
    void theErrorRateChangesByOneAndFivePointsAtTheThresholds() {
        Traffic before = traffic(10, 0.02, 100.0);
        assertThat(ImpactQueries.change(before, traffic(10, 0.0299, 100.0)).level()).isEqualTo(Level.NONE);
        assertThat(ImpactQueries.change(before, traffic(10, 0.03, 100.0)).level()).isEqualTo(Level.SMALL);
        assertThat(ImpactQueries.change(before, traffic(10, 0.0699, 100.0)).level()).isEqualTo(Level.SMALL);
        assertThat(ImpactQueries.change(before, traffic(10, 0.07, 100.0)).level()).isEqualTo(Level.LARGE);
        assertThat(ImpactQueries.change(before, traffic(10, 0.0, 100.0)).level()).as("fewer errors is no harm").isEqualTo(Level.NONE);
        assertThat(ImpactQueries.change(before, traffic(10, 0.0, 100.0)).errorRatePoints()).isCloseTo(-0.02, within(1e-9));
    }

    @Test
    void theTailLatencyChangesAtOneFifthMoreAndAtTwice() {
        Traffic before = traffic(10, 0.0, 100.0);
        assertThat(ImpactQueries.change(before, traffic(10, 0.0, 119.0)).level()).isEqualTo(Level.NONE);
        assertThat(ImpactQueries.change(before, traffic(10, 0.0, 120.0)).level()).isEqualTo(Level.SMALL);
        assertThat(ImpactQueries.change(before, traffic(10, 0.0, 199.0)).level()).isEqualTo(Level.SMALL);
        assertThat(ImpactQueries.change(before, traffic(10, 0.0, 200.0)).level()).isEqualTo(Level.LARGE);
        assertThat(ImpactQueries.change(before, traffic(10, 0.0, 2100.0)).latencyP99Ratio()).isEqualTo(21.0);
        assertThat(ImpactQueries.change(before, traffic(10, 0.0, null)).level()).as("no latency during: judged on errors only")
                .isEqualTo(Level.NONE);
    }

    @Test
    void anEdgeWithoutTrafficOnOneSideIsNewOrGone() {
        assertThat(ImpactQueries.change(null, traffic(3, 0.0, 10.0)).level()).isEqualTo(Level.NEW);
        assertThat(ImpactQueries.change(traffic(3, 0.0, 10.0), traffic(0, null, null)).level()).isEqualTo(Level.GONE);
        assertThat(ImpactQueries.change(null, null).level()).isEqualTo(Level.NONE);
    }

    @Test
    void notANumberAndFailedAnswersLeaveFiguresEmptyRatherThanWrong() {
        var traffic = ImpactQueries.traffic(values(requests("source", "productpage", "reviews", "200", "-", Double.NaN),
                requests("source", "productpage", "details", "200", "-", 4)),
                values(quantile("source", "productpage", "details", Double.NaN)),
                new QueryResult.Failure("q", QueryResult.Kind.TIMEOUT, "Prometheus did not answer within 5s"));
        assertThat(new ArrayList<>(traffic.keySet())).extracting(ImpactQueries.Key::destination).containsExactly("details");
        Traffic details = traffic.values().iterator().next().get("source");
        assertThat(details.requestRate()).isEqualTo(4.0);
        assertThat(details.errorRate()).isEqualTo(0.0);
        assertThat(details.latencyP50()).isNull();
        assertThat(details.latencyP99()).isNull();
    }

    @Test
    void edgesComeTargetFirstThenByHowMuchTheyChanged() {
        var before = ImpactQueries.traffic(values(
                requests("source", "a", "small", "200", "-", 99), requests("source", "a", "small", "503", "-", 1),
                requests("source", "a", "large", "200", "-", 10), requests("source", "a", "gone", "200", "-", 10),
                requests("source", "a", "calm", "200", "-", 10), requests("source", "a", "reviews", "200", "-", 10)), values(), values());
        var during = ImpactQueries.traffic(values(
                requests("source", "a", "small", "200", "-", 97), requests("source", "a", "small", "503", "-", 3),
                requests("source", "a", "large", "200", "-", 5), requests("source", "a", "large", "503", "-", 5),
                requests("source", "a", "calm", "200", "-", 10), requests("source", "a", "reviews", "200", "-", 10),
                requests("source", "a", "new", "200", "-", 1)), values(), values());
        assertThat(ImpactQueries.edges(before, during, Map.of(), "bookinfo", "reviews")).extracting(Edge::destination)
                .containsExactly("reviews", "large", "gone", "new", "small", "calm");
    }
}

package dev.faultline.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.faultline.experiment.spec.Tolerance;
import dev.faultline.experiment.spec.Tolerance.Comparison;
import dev.faultline.metrics.GoldenSignal.Reporter;
import dev.faultline.metrics.GoldenSignal.Signal;
import dev.faultline.playground.IstioExporter;
import dev.faultline.playground.IstioExporter.Traffic;
import dev.faultline.playground.PrometheusServer;

/**
 * The golden-signal templates and tolerances against the real Prometheus, scraping an exporter
 * whose traffic the test moves: healthy, then failing, then faulted on purpose (FI/DI).
 */
class GoldenSignalsOnPrometheusTest {

    private static final Duration WINDOW = Duration.ofSeconds(5);
    private static IstioExporter reviews;
    private static PrometheusServer prometheus;
    private static PrometheusClient client;

    @BeforeAll
    static void start() throws Exception {
        reviews = new IstioExporter("reviews", "bookinfo");
        prometheus = PrometheusServer.start(List.of(reviews.port()));
        client = new PrometheusClient(prometheus.url(), Duration.ofSeconds(2), null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        if (reviews != null) {
            reviews.close();
        }
    }

    private static GoldenSignal signal(Signal signal, boolean excludeInjected) {
        return new GoldenSignal(signal, "reviews", "bookinfo", WINDOW, Reporter.DESTINATION, excludeInjected);
    }

    private static Check check(Signal signal, boolean excludeInjected, Tolerance tolerance) {
        return Check.evaluate(client.query(signal(signal, excludeInjected).promql()), tolerance::accepts, tolerance.describe());
    }

    /** Polls until the check settles as expected (rates over a window take a few scrapes to move). */
    private static Check eventually(Signal signal, boolean excludeInjected, Tolerance tolerance, Predicate<Check> settled) {
        long deadline = System.nanoTime() + Duration.ofSeconds(25).toNanos();
        Check check = check(signal, excludeInjected, tolerance);
        while (!settled.test(check) && System.nanoTime() < deadline) {
            sleep(500);
            check = check(signal, excludeInjected, tolerance);
        }
        return check;
    }

    /** Sets the traffic and waits until the window holds nothing else (a scrape after the window has passed). */
    private static void traffic(Traffic... traffic) {
        reviews.set(traffic);
        sleep(WINDOW.toMillis() + 2500);
    }

    private static Tolerance.Bound bound(Comparison comparison, double limit) {
        return new Tolerance.Bound(comparison, limit);
    }

    @Test
    void templatesAndTolerancesFollowTheTrafficIncludingTheInjectedFaultExclusion() {
        // Healthy: 20 rps, all 200 in ~20 ms.
        traffic(new Traffic(20, 200, "-", 20));
        Check rate = eventually(Signal.REQUEST_RATE, false, new Tolerance.Between(15, 25), Check::passed);
        assertThat(rate.passed()).as(rate.reason()).isTrue();
        assertThat(rate.value()).isBetween(15.0, 25.0);
        assertThat(check(Signal.REQUEST_RATE, false, bound(Comparison.ABOVE, 100)).passed()).isFalse();
        assertThat(check(Signal.ERROR_RATE, false, bound(Comparison.EQUALS, 0)).passed()).isTrue();
        assertThat(check(Signal.ERROR_RATE, false, bound(Comparison.BELOW, 0.05)).passed()).isTrue();
        Check p99 = check(Signal.LATENCY_P99, false, bound(Comparison.AT_MOST, 25));
        assertThat(p99.passed()).as(p99.reason()).isTrue();
        assertThat(p99.value()).isBetween(10.0, 25.0);
        assertThat(check(Signal.LATENCY_P50, false, bound(Comparison.AT_LEAST, 10)).passed()).isTrue();
        assertThat(check(Signal.LATENCY_P90, false, bound(Comparison.ABOVE, 25)).passed()).isFalse();

        // Broken: 30% answer 503 on their own, and everything is slow.
        traffic(new Traffic(14, 200, "-", 400), new Traffic(6, 503, "-", 400));
        Check errors = eventually(Signal.ERROR_RATE, false, bound(Comparison.BELOW, 0.05),
                check -> !check.passed() && check.value() > 0.25);
        assertThat(errors.passed()).isFalse();
        assertThat(errors.value()).isBetween(0.25, 0.35);
        assertThat(errors.reason()).contains("not below 0.05");
        Check slow = eventually(Signal.LATENCY_P99, false, bound(Comparison.BELOW, 100), check -> !check.passed());
        assertThat(slow.value()).isBetween(250.0, 500.0);
        assertThat(slow.reason()).contains("not below 100");

        // Faulted on purpose: injected aborts (FI) and delays (DI) on top of healthy traffic.
        traffic(new Traffic(10, 200, "-", 20), new Traffic(5, 503, "FI", 0.2), new Traffic(5, 200, "DI", 2000));
        Check counted = eventually(Signal.ERROR_RATE, false, bound(Comparison.BELOW, 0.05),
                check -> !check.passed() && check.value() > 0.2 && check.value() < 0.3);
        assertThat(counted.value()).as("injected aborts count without the exclusion").isBetween(0.2, 0.3);
        Check excluded = eventually(Signal.ERROR_RATE, true, bound(Comparison.BELOW, 0.05), Check::passed);
        assertThat(excluded.passed()).as(excluded.reason()).isTrue();
        assertThat(excluded.value()).isEqualTo(0.0);
        Check delayed = eventually(Signal.LATENCY_P99, false, bound(Comparison.BELOW, 100), check -> !check.passed() && check.value() > 1000);
        assertThat(delayed.value()).as("injected delays count without the exclusion").isGreaterThan(1000.0);
        Check undelayed = eventually(Signal.LATENCY_P99, true, bound(Comparison.BELOW, 100), Check::passed);
        assertThat(undelayed.passed()).as(undelayed.reason()).isTrue();
        Check onlyReal = eventually(Signal.REQUEST_RATE, true, new Tolerance.Between(8, 12), Check::passed);
        assertThat(onlyReal.passed()).as(onlyReal.reason()).isTrue();
    }

    @Test
    void aServiceWithoutTrafficHasNoDataAndFails() {
        GoldenSignal nobody = new GoldenSignal(Signal.ERROR_RATE, "inventory", "bookinfo", WINDOW, Reporter.DESTINATION, false);
        QueryResult result = client.query(nobody.promql());
        assertThat(result).isInstanceOf(QueryResult.Failure.class);
        assertThat(((QueryResult.Failure) result).kind()).isEqualTo(QueryResult.Kind.NO_DATA);
        Check check = Check.evaluate(result, value -> true, "anything");
        assertThat(check.passed()).isFalse();
        assertThat(check.reason()).contains("no series");
    }

    @Test
    void badPromQlIsAQueryErrorThatFails() {
        QueryResult result = client.query("sum(rate(istio_requests_total[5s]");
        assertThat(result).isInstanceOf(QueryResult.Failure.class);
        assertThat(((QueryResult.Failure) result).kind()).isEqualTo(QueryResult.Kind.QUERY_ERROR);
        assertThat(Check.evaluate(result, value -> true, "anything").reason()).contains("Prometheus rejected the query");
    }

    @Test
    void everySeriesOfAVectorMustPassAndTheFailingOneIsNamed() {
        traffic(new Traffic(10, 200, "-", 20), new Traffic(2, 503, "-", 20));
        String perCode = "sum by (response_code) (rate(istio_requests_total{destination_service_name=\"reviews\"}[5s]))";
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Check check = Check.evaluate(client.query(perCode), value -> value > 5, "above 5");
        while (check.failedSeries().size() != 1 && System.nanoTime() < deadline) {
            sleep(500);
            check = Check.evaluate(client.query(perCode), value -> value > 5, "above 5");
        }
        assertThat(check.passed()).isFalse();
        assertThat(check.reason()).contains("series {response_code=\"503\"}").contains("not above 5");
        assertThat(check.failedSeries()).hasSize(1);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

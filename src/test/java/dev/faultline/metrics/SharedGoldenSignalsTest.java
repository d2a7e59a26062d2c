package dev.faultline.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.faultline.metrics.GoldenSignal.Reporter;
import dev.faultline.metrics.GoldenSignal.Signal;
import dev.faultline.playground.IstioExporter;
import dev.faultline.playground.IstioExporter.Traffic;
import dev.faultline.playground.PrometheusServer;

/**
 * One vector query for a golden signal of many services gives each service the value its own query gives, on the
 * real Prometheus scraping three services (one failing, one slow, one without traffic).
 */
class SharedGoldenSignalsTest {

    private static final Duration WINDOW = Duration.ofSeconds(5);
    private static IstioExporter reviews;
    private static IstioExporter ratings;
    private static IstioExporter details;
    private static PrometheusServer prometheus;
    private static PrometheusClient client;

    @BeforeAll
    static void start() throws Exception {
        reviews = new IstioExporter("reviews", "bookinfo");
        ratings = new IstioExporter("ratings", "bookinfo");
        details = new IstioExporter("details", "bookinfo");
        reviews.set(new Traffic(80, 200, "-", 40), new Traffic(20, 503, "-", 5));
        ratings.set(new Traffic(50, 200, "-", 300));
        prometheus = PrometheusServer.start(List.of(reviews.port(), ratings.port(), details.port()));
        client = new PrometheusClient(prometheus.url(), Duration.ofSeconds(2), null);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        // a rate over the window needs a few scrapes of both services
        while (System.nanoTime() < deadline && !(signal(Signal.REQUEST_RATE, "ratings").own(shared(Signal.REQUEST_RATE, null))
                instanceof QueryResult.Values values && values.series().get(0).value() > 0
                && signal(Signal.REQUEST_RATE, "reviews").own(shared(Signal.REQUEST_RATE, null)) instanceof QueryResult.Values)) {
            Thread.sleep(250);
        }
        Thread.sleep(3000);
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        for (IstioExporter exporter : new IstioExporter[] { reviews, ratings, details }) {
            if (exporter != null) {
                exporter.close();
            }
        }
    }

    private static GoldenSignal signal(Signal signal, String service) {
        return new GoldenSignal(signal, service, "bookinfo", WINDOW, Reporter.DESTINATION, false);
    }

    private static QueryResult shared(Signal signal, Instant at) {
        return client.query(signal(signal, "reviews").shared().promql(List.of("bookinfo")), at);
    }

    private static double value(QueryResult result) {
        assertThat(result).isInstanceOf(QueryResult.Values.class);
        List<Series> series = ((QueryResult.Values) result).series();
        assertThat(series).hasSize(1);
        return series.get(0).value();
    }

    @Test
    void everyServiceReadsFromTheSharedAnswerWhatItsOwnQueryGives() {
        Instant at = Instant.now().minusMillis(500);
        for (Signal signal : Signal.values()) {
            QueryResult shared = shared(signal, at);
            for (String service : List.of("reviews", "ratings")) {
                GoldenSignal own = signal(signal, service);
                double alone = value(client.query(own.promql(), at));
                assertThat(value(own.own(shared))).as("%s of %s", signal, service).isEqualTo(alone);
                assertThat(((QueryResult.Values) own.own(shared)).series().get(0).labels())
                        .as("labelled as its own query's value, so that reasons read the same").isEmpty();
            }
        }
        assertThat(value(signal(Signal.ERROR_RATE, "reviews").own(shared(Signal.ERROR_RATE, at)))).isBetween(0.15, 0.25);
        assertThat(value(signal(Signal.ERROR_RATE, "ratings").own(shared(Signal.ERROR_RATE, at)))).isZero();
        assertThat(value(signal(Signal.LATENCY_P50, "ratings").own(shared(Signal.LATENCY_P50, at)))).isBetween(250.0, 500.0);
    }

    @Test
    void aServiceWithoutTrafficHasNoDataAsWithItsOwnQuery() {
        QueryResult result = signal(Signal.ERROR_RATE, "details").own(shared(Signal.ERROR_RATE, null));
        assertThat(result).isInstanceOfSatisfying(QueryResult.Failure.class, failure -> {
            assertThat(failure.kind()).isEqualTo(QueryResult.Kind.NO_DATA);
            assertThat(failure.reason()).contains("no series for details.bookinfo");
        });
        assertThat(client.query(signal(Signal.ERROR_RATE, "details").promql())).isInstanceOf(QueryResult.Failure.class);
    }

    @Test
    void theSharedQueryReadsOnlyTheNamespacesItNames() {
        QueryResult elsewhere = client.query(signal(Signal.REQUEST_RATE, "reviews").shared().promql(List.of("shop", "payments")));
        assertThat(signal(Signal.REQUEST_RATE, "reviews").own(elsewhere)).isInstanceOf(QueryResult.Failure.class);
        assertThat(signal(Signal.REQUEST_RATE, "reviews").shared().promql(List.of("shop", "payments")))
                .contains("destination_workload_namespace=~\"payments|shop\"");
    }

    @Test
    void theSharedQueryOfSomeServicesReadsOnlyTheirSeriesAndGivesEachWhatItsOwnQueryGives() {
        Instant at = Instant.now().minusMillis(500);
        for (Signal signal : Signal.values()) {
            String promql = signal(signal, "reviews").shared().promql(List.of("bookinfo"), List.of("reviews"));
            assertThat(promql).contains("destination_service_name=~\"reviews\"");
            QueryResult onlyReviews = client.query(promql, at);
            assertThat(((QueryResult.Values) onlyReviews).series()).as("%s", signal).hasSize(1);
            assertThat(value(signal(signal, "reviews").own(onlyReviews))).as("%s", signal)
                    .isEqualTo(value(client.query(signal(signal, "reviews").promql(), at)));
            assertThat(signal(signal, "ratings").own(onlyReviews)).isInstanceOf(QueryResult.Failure.class);
        }
        assertThat(signal(Signal.ERROR_RATE, "reviews").shared().promql(List.of("bookinfo"), List.of("ratings", "reviews", "ratings")))
                .contains("destination_service_name=~\"ratings|reviews\"");
        assertThat(signal(Signal.ERROR_RATE, "reviews").shared().promql(List.of("bookinfo"), List.of("reviews", "Not A Name")))
                .as("names that are not plain Kubernetes names are not put in a regex").doesNotContain("destination_service_name=~");
    }

    @Test
    void scrapeStampsRideAlongAndComeOutAsEachTargetsNewestStoredScrape() {
        PrometheusClient.Targets targets = client.targets();
        assertThat(targets.failure()).isNull();
        assertThat(targets.targets()).hasSize(3).allSatisfy(target -> {
            assertThat(target.job()).isEqualTo("istio-exporter");
            assertThat(target.scrapeInterval()).isEqualTo(Duration.ofSeconds(1));
            assertThat(target.lastScrape()).isNotNull();
        });
        String promql = signal(Signal.ERROR_RATE, "reviews").shared().promql(List.of("bookinfo"));
        Instant at = Instant.now().minusMillis(500);
        ScrapeStamps.Split split = ScrapeStamps.split(promql, client.query(ScrapeStamps.query(promql, targets.targets()), at));
        assertThat(split.result()).isEqualTo(client.query(promql, at));
        assertThat(split.scrapedAt()).hasSize(3);
        for (ScrapeTarget target : targets.targets()) {
            // stamped with the scrape's time: within a scrape interval before the evaluation time
            assertThat(split.scrapedAt().get(target.describe())).isBetween(at.minusMillis(1100), at);
        }
        QueryResult none = client.query(ScrapeStamps.query("sum(rate(no_such_total[5s]))", targets.targets()));
        assertThat(ScrapeStamps.split("sum(rate(no_such_total[5s]))", none).result())
                .isEqualTo(client.query("sum(rate(no_such_total[5s]))"));
    }
}

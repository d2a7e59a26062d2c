package dev.faultline.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.faultline.experiment.spec.Guardrail;
import dev.faultline.experiment.spec.Measurement;
import dev.faultline.experiment.spec.Tolerance;
import dev.faultline.metrics.Check;
import dev.faultline.metrics.GoldenSignal;
import dev.faultline.metrics.PrometheusClient;
import dev.faultline.playground.IstioExporter;
import dev.faultline.playground.IstioExporter.Traffic;
import dev.faultline.playground.PrometheusServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The guardrail monitor on the real Prometheus, scraping three services each from its own target: runs on the
 * same golden signal share one query, each judged on its own service; checks follow the scrape of their own
 * service's target, and say on the run when they cannot and why. Queries are counted by Prometheus itself.
 */
class GuardrailMonitorTest {

    private static final Duration WINDOW = Duration.ofSeconds(3);
    private static final List<String> SERVICES = List.of("reviews", "ratings", "details");
    /** A service whose exporter the test slows down. */
    private static final String SLOW = "productpage";
    private static final Map<String, IstioExporter> exporters = new ConcurrentHashMap<>();
    private static PrometheusServer prometheus;
    private static PrometheusClient client;
    private GuardrailMonitor monitor;

    @BeforeAll
    static void start() throws Exception {
        for (String service : SERVICES) {
            IstioExporter exporter = new IstioExporter(service, "bookinfo");
            exporter.set(new Traffic(50, 200, "-", 20));
            exporters.put(service, exporter);
        }
        exporters.get("reviews").set(new Traffic(50, 200, "-", 20), new Traffic(50, 503, "-", 5));
        IstioExporter slow = new IstioExporter(SLOW, "bookinfo");
        slow.set(new Traffic(50, 200, "-", 20));
        exporters.put(SLOW, slow);
        prometheus = PrometheusServer.start(java.util.stream.Stream.concat(SERVICES.stream(), java.util.stream.Stream.of(SLOW))
                .map(s -> exporters.get(s).port()).toList());
        client = new PrometheusClient(prometheus.url(), Duration.ofSeconds(2), null);
        await("traffic of all three services in Prometheus", Duration.ofSeconds(30), () -> SERVICES.stream().allMatch(service ->
                client.query(golden(service).promql()) instanceof dev.faultline.metrics.QueryResult.Values));
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        for (IstioExporter exporter : exporters.values()) {
            exporter.close();
        }
    }

    @AfterEach
    void stopMonitor() {
        if (monitor != null) {
            monitor.stop();
        }
    }

    private static GoldenSignal golden(String service) {
        return new GoldenSignal(GoldenSignal.Signal.ERROR_RATE, service, "bookinfo", WINDOW, GoldenSignal.Reporter.DESTINATION, false);
    }

    /** What a run's listener is told. */
    static final class Seen implements GuardrailMonitor.Listener {
        final List<Check> checks = new CopyOnWriteArrayList<>();
        final List<Instant> checkedAt = new CopyOnWriteArrayList<>();
        final List<String> timings = new CopyOnWriteArrayList<>();

        @Override
        public void checked(GuardrailMonitor.Watch watch, Check check, Instant at) {
            checks.add(check);
            checkedAt.add(at);
        }

        @Override
        public void breached(GuardrailMonitor.Watch watch, Check check, Instant at) {
        }

        @Override
        public void timing(GuardrailMonitor.Watch watch, String description, Instant at) {
            timings.add(description);
        }
    }

    private GuardrailMonitor monitor(boolean alignToScrape) {
        monitor = new GuardrailMonitor(null, client, Clock.systemUTC(), new RunMetrics(new SimpleMeterRegistry(), null, null, null), 10,
                alignToScrape);
        return monitor;
    }

    private static Guardrail guardrail(Measurement measurement, Duration interval) {
        // a breach would end the watch: these guardrails tolerate any number of failed checks
        return new Guardrail("errors", measurement, new Tolerance.Bound(Tolerance.Comparison.BELOW, 0.05), interval, 1_000_000);
    }

    private static GuardrailMonitor.Watch goldenWatch(String service, Duration interval, Seen seen) {
        Measurement measurement = new Measurement(null, new Measurement.GoldenSignal(Measurement.Signal.ERROR_RATE, service,
                "bookinfo", WINDOW, null, null), null, null);
        return new GuardrailMonitor.Watch("run-" + service + "-" + interval.toMillis(), "spec.guardrails[0]",
                guardrail(measurement, interval), golden(service).promql(), golden(service), "bookinfo", interval, seen, Instant.now());
    }

    private static GuardrailMonitor.Watch queryWatch(String id, String promql, Seen seen) {
        Measurement measurement = new Measurement(new Measurement.PrometheusQuery(promql), null, null, null);
        return new GuardrailMonitor.Watch(id, "spec.guardrails[0]", guardrail(measurement, Duration.ofSeconds(1)), promql, null,
                "bookinfo", Duration.ofSeconds(1), seen, Instant.now());
    }

    @Test
    void runsOnTheSameGoldenSignalShareOneQueryEachJudgedOnItsOwnService() throws Exception {
        GuardrailMonitor monitor = monitor(false);
        Map<String, Seen> seen = new ConcurrentHashMap<>();
        for (String service : SERVICES) {
            seen.put(service, new Seen());
            monitor.watch("run-" + service, List.of(goldenWatch(service, Duration.ofSeconds(1), seen.get(service))));
        }
        await("a first check of every run", Duration.ofSeconds(5), () -> seen.values().stream().allMatch(s -> !s.checks.isEmpty()));
        Thread.sleep(300); // let that first (shared) query finish before counting
        int checksBefore = seen.get("ratings").checks.size();
        double queriesBefore = prometheus.queriesAnswered();
        Thread.sleep(4200);
        double queries = prometheus.queriesAnswered() - queriesBefore;
        int checks = seen.get("ratings").checks.size() - checksBefore;

        assertThat(checks).as("checks of one run in 4.2 s at 1 s").isBetween(3, 6);
        assertThat(queries).as("queries for three runs' %d checks each", checks).isLessThanOrEqualTo(checks + 1);
        assertThat(seen.get("reviews").checks).allSatisfy(check -> {
            assertThat(check.passed()).isFalse();
            assertThat(check.reason()).startsWith("the value is 0.");
        });
        assertThat(seen.get("ratings").checks).allSatisfy(check -> assertThat(check.passed()).as(check.reason()).isTrue());
        assertThat(seen.get("details").timings).containsExactly(
                "checked on a 1s timer, not in step with the scrape: faultline.guardrails.align-to-scrape is false");
    }

    @Test
    void checksFollowTheScrapeOfTheirOwnSeriesAndSayWhenTheyCannot() throws Exception {
        GuardrailMonitor monitor = monitor(true);
        Map<String, Seen> seen = new ConcurrentHashMap<>();
        for (String service : SERVICES) {
            seen.put(service, new Seen());
            monitor.watch("run-" + service, List.of(goldenWatch(service, Duration.ofSeconds(1), seen.get(service))));
        }
        Seen raw = new Seen();
        Seen slow = new Seen();
        Seen constant = new Seen();
        Seen nothing = new Seen();
        monitor.watch("run-raw", List.of(queryWatch("run-raw",
                "sum(rate(istio_requests_total{destination_service_name=\"ratings\"}[3s])) / 100", raw)));
        monitor.watch("run-slow", List.of(goldenWatch("reviews", Duration.ofMillis(1500), slow)));
        monitor.watch("run-constant", List.of(queryWatch("run-constant", "vector(0)", constant)));
        monitor.watch("run-nothing", List.of(queryWatch("run-nothing", "sum(rate(no_such_metric_total[1m]))", nothing)));

        List<Seen> all = List.of(seen.get("reviews"), seen.get("ratings"), seen.get("details"), raw, slow, constant, nothing);
        await("how every guardrail is timed", Duration.ofSeconds(10), () -> all.stream().noneMatch(s -> s.timings.isEmpty()));
        for (String service : SERVICES) {
            assertThat(seen.get(service).timings).singleElement().asString()
                    .startsWith("checked ").contains(" ms after each scrape of job=\"istio-exporter\", instance=\"127.0.0.1:"
                            + exporters.get(service).port() + "\"").contains("(scraped every 1s");
        }
        assertThat(raw.timings).singleElement().asString().contains("instance=\"127.0.0.1:" + exporters.get("ratings").port() + "\"");
        assertThat(slow.timings).singleElement().asString()
                .isEqualTo("checked on a 1500ms timer, not in step with the scrape: its interval 1500ms is not a multiple of the scrape interval 1s");
        assertThat(constant.timings).singleElement().asString().endsWith("its query names no series to follow the scrape of");
        assertThat(nothing.timings).singleElement().asString().endsWith("the series it names do not exist yet");
        Thread.sleep(2000);
        assertThat(seen.get("ratings").checks).as("checked on the timer and then in step, all the while").hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(check -> assertThat(check.passed()).isTrue());
        assertThat(seen.get("details").timings).as("noted once, not at every check or refresh").hasSize(1);
    }

    @Test
    void aCheckThatFindsItsScrapeNotStoredYetLooksAgainInsteadOfJudgingTheScrapeBefore() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        monitor = new GuardrailMonitor(null, client, Clock.systemUTC(), new RunMetrics(registry, null, null, null), 10, true);
        Seen seen = new Seen();
        monitor.watch("run-slow", List.of(goldenWatch(SLOW, Duration.ofSeconds(1), seen)));
        await("checks in step with the scrape", Duration.ofSeconds(10),
                () -> seen.timings.stream().anyMatch(timing -> timing.contains("after each scrape")));
        IstioExporter slow = exporters.get(SLOW);
        long slowFrom = System.currentTimeMillis();
        // learnt from fast scrapes, the next check falls ~25 ms after the scrape begins: long before this one is stored,
        // even when a busy machine runs the check a few hundred milliseconds late
        slow.delayScrapes(Duration.ofMillis(400));
        await("a slow scrape", Duration.ofSeconds(5), () -> slow.scrapesAnswered().stream().anyMatch(at -> at > slowFrom + 400));
        long answered = slow.scrapesAnswered().stream().filter(at -> at > slowFrom + 400).findFirst().orElseThrow();
        // the check that judges it comes once it is stored: waited for, not slept for, so a busy machine's late thread is no failure
        await("a check after the slow scrape", Duration.ofSeconds(5),
                () -> seen.checkedAt.stream().anyMatch(at -> at.toEpochMilli() >= answered));
        slow.delayScrapes(Duration.ZERO);

        assertThat(registry.get("faultline.guardrail.checks.looked.again").counter().count()).isPositive();
        // how soon after the storing is machine timing (the abort benchmark measures it); what must hold is that the
        // checks did not stall on the unstored scrape: the next one judged it within the interval it belongs to
        assertThat(seen.checkedAt).as("a check judged the slow scrape once it was stored, not a whole interval later")
                .anySatisfy(at -> assertThat(at.toEpochMilli()).isBetween(answered, answered + 1500));
    }


    private static void await(String what, Duration within, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + within.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }
}

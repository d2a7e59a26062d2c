package dev.faultline.testing;

import java.util.List;
import java.util.Map;

import dev.faultline.playground.IstioExporter;
import dev.faultline.playground.PrometheusServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The real Prometheus scraping an Istio exporter for {@code reviews} and one for {@code ratings}
 * (both in {@code bookinfo}), started before the application so that it is configured with their
 * address ({@code faultline.metrics.prometheus-url}).
 */
public class MetricsStack implements QuarkusTestResourceLifecycleManager {

    public static IstioExporter reviews;
    public static IstioExporter ratings;
    public static PrometheusServer prometheus;

    @Override
    public Map<String, String> start() {
        try {
            reviews = new IstioExporter("reviews", "bookinfo");
            ratings = new IstioExporter("ratings", "bookinfo");
            prometheus = PrometheusServer.start(List.of(reviews.port(), ratings.port()));
        } catch (Exception e) {
            throw new IllegalStateException("could not start the metrics stack", e);
        }
        return Map.of("faultline.metrics.prometheus-url", prometheus.url().toString());
    }

    /** Waits (up to 30 s) until Prometheus has a rate for both services: a fresh one has no series yet, and guardrails would (rightly) fail on no data. */
    public static void awaitTraffic() {
        var http = java.net.http.HttpClient.newHttpClient();
        var request = java.net.http.HttpRequest.newBuilder(prometheus.url().resolve("api/v1/query?query="
                + java.net.URLEncoder.encode("sum by (destination_service_name) (rate(istio_requests_total[3s]))",
                        java.nio.charset.StandardCharsets.UTF_8))).build();
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                String body = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                if (body.contains("\"reviews\"") && body.contains("\"ratings\"")) {
                    return;
                }
                Thread.sleep(200);
            } catch (java.io.IOException e) {
                // not up yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void stop() {
        try {
            if (prometheus != null) {
                prometheus.close();
            }
        } catch (Exception e) {
            // best effort
        }
        if (reviews != null) {
            reviews.close();
        }
        if (ratings != null) {
            ratings.close();
        }
    }
}

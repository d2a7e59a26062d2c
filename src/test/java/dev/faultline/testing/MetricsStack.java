package dev.faultline.testing;

import java.util.List;
import java.util.Map;

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

package dev.faultline.bench;

import java.util.List;
import java.util.Map;

import dev.faultline.testing.PrometheusServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** The real Prometheus scraping the benchmark's gauges every second, started before Faultline. */
public class BenchStack implements QuarkusTestResourceLifecycleManager {

    static GaugeExporter exporter;
    static PrometheusServer prometheus;

    @Override
    public Map<String, String> start() {
        try {
            exporter = new GaugeExporter();
            prometheus = PrometheusServer.start(List.of(exporter.port()));
        } catch (Exception e) {
            throw new IllegalStateException("could not start Prometheus for the benchmark", e);
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
        if (exporter != null) {
            exporter.close();
        }
    }
}

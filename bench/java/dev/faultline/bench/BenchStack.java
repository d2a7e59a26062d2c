package dev.faultline.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.faultline.testing.PrometheusServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The real Prometheus scraping, every second, {@link #TARGETS} mesh exporters: each service's series come from one
 * of them (as a service's from its pods' proxies), so that Prometheus scrapes them at {@link #TARGETS} moments of
 * each second. Started before Faultline.
 */
public class BenchStack implements QuarkusTestResourceLifecycleManager {

    static final String NAMESPACE = "bench";
    static final int TARGETS = 4;
    static final List<MeshExporter> exporters = new ArrayList<>();
    static PrometheusServer prometheus;

    /** The exporter that reports {@code service}. */
    static MeshExporter exporter(String service) {
        return exporters.get(Math.floorMod(service.hashCode(), exporters.size()));
    }

    @Override
    public Map<String, String> start() {
        try {
            for (int i = 0; i < TARGETS; i++) {
                exporters.add(new MeshExporter(NAMESPACE));
            }
            prometheus = PrometheusServer.start(exporters.stream().map(MeshExporter::port).toList());
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
        exporters.forEach(MeshExporter::close);
        exporters.clear();
    }
}

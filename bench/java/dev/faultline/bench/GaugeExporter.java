package dev.faultline.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

/**
 * A loopback exporter of one gauge per (metric, service), set by the benchmark. A gauge steps from
 * one scrape to the next, so the moment a breach becomes visible in Prometheus is sharp.
 */
final class GaugeExporter implements AutoCloseable {

    static final String ERROR_RATIO = "faultline_bench_error_ratio";
    static final String LATENCY_P99 = "faultline_bench_latency_p99_ms";
    static final String REQUEST_RATE = "faultline_bench_request_rate";

    private final HttpServer server;
    private final Map<String, Map<String, Double>> gauges = new ConcurrentHashMap<>();

    GaugeExporter() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/metrics", exchange -> {
            byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** A healthy service: no errors, fast, busy. */
    void healthy(String service) {
        set(ERROR_RATIO, service, 0.0);
        set(LATENCY_P99, service, 40.0);
        set(REQUEST_RATE, service, 100.0);
    }

    void set(String metric, String service, double value) {
        gauges.computeIfAbsent(metric, m -> new ConcurrentHashMap<>()).put(service, value);
    }

    private String scrape() {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(gauges).forEach((metric, byService) -> {
            text.append("# TYPE ").append(metric).append(" gauge\n");
            byService.forEach((service, value) -> text.append(metric).append("{service=\"").append(service).append("\"} ")
                    .append(String.format(Locale.ROOT, "%.3f", value)).append('\n'));
        });
        return text.toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

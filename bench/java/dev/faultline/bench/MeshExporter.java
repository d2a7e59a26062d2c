package dev.faultline.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

/**
 * Istio's standard request metrics ({@code istio_requests_total}, {@code istio_request_duration_milliseconds}) for
 * many services in one namespace, as the destination's proxies report them: each service takes {@link #RATE}
 * requests a second, all 200s when healthy, half of them 503s when failing. The counters grow with the time between
 * scrapes, as a proxy's do; the 503 series exists from the start, at zero, so that a rate over it moves at the first
 * scrape after the service starts failing.
 */
final class MeshExporter implements AutoCloseable {

    static final double RATE = 100;
    private static final double[] BUCKETS = { 25, 100, 500, 1000 };
    private static final double LATENCY_MS = 20;

    private static final class Service {
        final String labels;
        double ok;
        double failed;
        volatile boolean failing;
        long lastNanos = System.nanoTime();

        Service(String name, String namespace) {
            labels = "reporter=\"destination\",destination_service_name=\"" + name + "\",destination_workload_namespace=\""
                    + namespace + "\",destination_workload=\"" + name + "-v1\",response_flags=\"-\"";
        }

        synchronized void advance() {
            long now = System.nanoTime();
            double requests = RATE * (now - lastNanos) / 1e9;
            lastNanos = now;
            if (failing) {
                ok += requests / 2;
                failed += requests / 2;
            } else {
                ok += requests;
            }
        }
    }

    private final String namespace;
    private final Map<String, Service> services = new ConcurrentHashMap<>();
    private final HttpServer server;

    MeshExporter(String namespace) throws IOException {
        this.namespace = namespace;
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

    void healthy(String service) {
        state(service, false);
    }

    void failing(String service) {
        state(service, true);
    }

    private void state(String name, boolean failing) {
        Service service = services.computeIfAbsent(name, n -> new Service(n, namespace));
        service.advance();
        service.failing = failing;
    }

    private String scrape() {
        StringBuilder text = new StringBuilder(services.size() * 1200);
        text.append("# TYPE istio_requests_total counter\n");
        for (Service service : services.values()) {
            service.advance();
            text.append("istio_requests_total{").append(service.labels).append(",response_code=\"200\"} ").append(number(service.ok))
                    .append('\n');
            text.append("istio_requests_total{").append(service.labels).append(",response_code=\"503\"} ")
                    .append(number(service.failed)).append('\n');
        }
        text.append("# TYPE istio_request_duration_milliseconds histogram\n");
        for (Service service : services.values()) {
            for (double bucket : BUCKETS) {
                text.append("istio_request_duration_milliseconds_bucket{").append(service.labels).append(",response_code=\"200\",le=\"")
                        .append((long) bucket).append("\"} ").append(number(LATENCY_MS <= bucket ? service.ok : 0)).append('\n');
            }
            text.append("istio_request_duration_milliseconds_bucket{").append(service.labels)
                    .append(",response_code=\"200\",le=\"+Inf\"} ").append(number(service.ok)).append('\n');
        }
        return text.toString();
    }

    private static String number(double value) {
        return Long.toString((long) value);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

package dev.faultline.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.sun.net.httpserver.HttpServer;

/**
 * A loopback exporter publishing {@code istio_requests_total} and
 * {@code istio_request_duration_milliseconds_bucket} with Istio's standard label set, for one
 * destination service. The test sets the traffic (requests per second by response code and
 * response flags, and their latency); counters grow by that rate between scrapes, as a proxy's do.
 */
public final class IstioExporter implements AutoCloseable {

    /** Istio's default buckets for request duration, in milliseconds. */
    private static final double[] BUCKETS = { 0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
            300000, 600000, 1800000, 3600000 };

    /** One kind of traffic: its rate, its answer and how long it takes. */
    public record Traffic(double perSecond, int responseCode, String responseFlags, double latencyMs) {
    }

    private final String service;
    private final String namespace;
    private final HttpServer server;
    private final Map<String, Kind> kinds = new LinkedHashMap<>();
    private List<Traffic> traffic = List.of();
    private long lastNanos = System.nanoTime();

    private static final class Kind {
        double requests;
        double sum;
        final double[] buckets = new double[BUCKETS.length];
        int responseCode;
        String responseFlags;
    }

    public IstioExporter(String service, String namespace) throws IOException {
        this.service = service;
        this.namespace = namespace;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/metrics", exchange -> {
            long delay = scrapeDelayMillis;
            if (delay > 0) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            answered.add(System.currentTimeMillis());
        });
        server.start();
    }

    private volatile long scrapeDelayMillis;
    private final List<Long> answered = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** From now on every scrape is answered this much later (a slow exporter, or a busy Prometheus). */
    public void delayScrapes(java.time.Duration delay) {
        scrapeDelayMillis = delay.toMillis();
    }

    /** When each scrape was answered (epoch milliseconds), oldest first. */
    public List<Long> scrapesAnswered() {
        return List.copyOf(answered);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** From now on, the service sees this traffic (and only this). */
    public synchronized void set(Traffic... traffic) {
        advance();
        this.traffic = List.of(traffic);
    }

    private synchronized String scrape() {
        advance();
        StringBuilder text = new StringBuilder();
        text.append("# TYPE istio_requests_total counter\n");
        kinds.values().forEach(kind -> text.append("istio_requests_total").append(labels(kind, null)).append(' ')
                .append(number(kind.requests)).append('\n'));
        text.append("# TYPE istio_request_duration_milliseconds histogram\n");
        for (Kind kind : kinds.values()) {
            for (int i = 0; i < BUCKETS.length; i++) {
                text.append("istio_request_duration_milliseconds_bucket").append(labels(kind, number(BUCKETS[i]))).append(' ')
                        .append(number(kind.buckets[i])).append('\n');
            }
            text.append("istio_request_duration_milliseconds_bucket").append(labels(kind, "+Inf")).append(' ')
                    .append(number(kind.requests)).append('\n');
            text.append("istio_request_duration_milliseconds_sum").append(labels(kind, null)).append(' ').append(number(kind.sum)).append('\n');
            text.append("istio_request_duration_milliseconds_count").append(labels(kind, null)).append(' ')
                    .append(number(kind.requests)).append('\n');
        }
        return text.toString();
    }

    /** Adds the requests of the current traffic since the last call. */
    private void advance() {
        long now = System.nanoTime();
        double seconds = (now - lastNanos) / 1e9;
        lastNanos = now;
        for (Traffic t : traffic) {
            Kind kind = kinds.computeIfAbsent(t.responseCode() + "/" + t.responseFlags(), key -> {
                Kind k = new Kind();
                k.responseCode = t.responseCode();
                k.responseFlags = t.responseFlags();
                return k;
            });
            double requests = t.perSecond() * seconds;
            kind.requests += requests;
            kind.sum += requests * t.latencyMs();
            for (int i = 0; i < BUCKETS.length; i++) {
                if (t.latencyMs() <= BUCKETS[i]) {
                    kind.buckets[i] += requests;
                }
            }
        }
    }

    /** Istio's standard metric labels, as the destination's proxy reports them. */
    private String labels(Kind kind, String le) {
        List<String> labels = new ArrayList<>(List.of(
                "reporter=\"destination\"",
                "source_workload=\"productpage-v1\"", "source_workload_namespace=\"" + namespace + "\"",
                "source_principal=\"spiffe://cluster.local/ns/" + namespace + "/sa/bookinfo-productpage\"",
                "source_app=\"productpage\"", "source_version=\"v1\"", "source_cluster=\"Kubernetes\"",
                "source_canonical_service=\"productpage\"", "source_canonical_revision=\"v1\"",
                "destination_workload=\"" + service + "-v1\"", "destination_workload_namespace=\"" + namespace + "\"",
                "destination_principal=\"spiffe://cluster.local/ns/" + namespace + "/sa/bookinfo-" + service + "\"",
                "destination_app=\"" + service + "\"", "destination_version=\"v1\"",
                "destination_service=\"" + service + "." + namespace + ".svc.cluster.local\"",
                "destination_service_name=\"" + service + "\"", "destination_service_namespace=\"" + namespace + "\"",
                "destination_cluster=\"Kubernetes\"", "destination_canonical_service=\"" + service + "\"",
                "destination_canonical_revision=\"v1\"", "request_protocol=\"http\"",
                "response_code=\"" + kind.responseCode + "\"", "grpc_response_status=\"\"",
                "response_flags=\"" + kind.responseFlags + "\"", "connection_security_policy=\"mutual_tls\""));
        if (le != null) {
            labels.add("le=\"" + le + "\"");
        }
        return "{" + String.join(",", labels) + "}";
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.6f", value).replaceAll("\\.?0+$", "");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

package dev.faultline.metrics;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The Prometheus HTTP API ({@code /api/v1/query}). Never throws for a failed query: every way a
 * query can fail comes back as a {@link QueryResult.Failure} with its reason, so that callers
 * cannot mistake a failure for a passing value.
 */
@ApplicationScoped
public class PrometheusClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Duration timeout;
    private final String authorization;
    private final HttpClient http;

    @Inject
    PrometheusClient(MetricsConfig config) {
        this(URI.create(config.prometheusUrl().replaceAll("/+$", "") + "/"), config.timeout(), authorization(config));
    }

    public PrometheusClient(URI base, Duration timeout, String authorization) {
        this.base = base;
        this.timeout = timeout;
        this.authorization = authorization;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Evaluates {@code promql} now. */
    public QueryResult query(String promql) {
        return query(promql, null);
    }

    /** Evaluates {@code promql} at {@code time} (now when null). */
    public QueryResult query(String promql, Instant time) {
        return send("api/v1/query", promql, "query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + (time == null ? "" : "&time=" + seconds(time)));
    }

    private static String seconds(Instant time) {
        return java.math.BigDecimal.valueOf(time.toEpochMilli(), 3).toPlainString();
    }

    /** The targets Prometheus scrapes now ({@code /api/v1/targets?state=active}), or why they could not be read. */
    public Targets targets() {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("api/v1/targets?state=active")).GET();
        Exchange answer = exchange(request, "the targets API");
        if (answer.failure() != null) {
            return new Targets(List.of(), answer.failure().reason());
        }
        HttpResponse<String> response = answer.response();
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        if (response.statusCode() != 200 || body == null || !"success".equals(body.path("status").asText())) {
            return new Targets(List.of(), "Prometheus answered the targets API with HTTP " + response.statusCode()
                    + (body == null ? "" : " " + body.path("error").asText("")));
        }
        List<ScrapeTarget> targets = new ArrayList<>();
        for (JsonNode target : body.path("data").path("activeTargets")) {
            JsonNode labels = target.path("labels");
            Instant last = null;
            try {
                String text = target.path("lastScrape").asText("");
                last = text.isEmpty() || text.startsWith("0001-") ? null : Instant.parse(text);
            } catch (java.time.format.DateTimeParseException e) {
                // not scraped yet, or a format this version does not know: no cadence for this target
            }
            targets.add(new ScrapeTarget(labels.path("job").asText(target.path("scrapePool").asText("")),
                    labels.path("instance").asText(""), last,
                    Duration.ofNanos(Math.round(target.path("lastScrapeDuration").asDouble(0) * 1e9)),
                    PromDuration.parse(target.path("scrapeInterval").asText("")), target.path("health").asText("unknown")));
        }
        return new Targets(targets, null);
    }

    /** What the targets API gave: the active targets, or the reason it could not be read (then {@code targets} is empty). */
    public record Targets(List<ScrapeTarget> targets, String failure) {
        public Targets {
            targets = List.copyOf(targets);
        }
    }

    private QueryResult send(String endpoint, String promql, String form) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(endpoint))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        Exchange answer = exchange(request, promql);
        return answer.failure() != null ? answer.failure() : parse(promql, answer.response());
    }

    /** An answer from Prometheus, or the failure that says why there is none. */
    private record Exchange(HttpResponse<String> response, QueryResult.Failure failure) {
    }

    /** Sends the request with the timeout and credentials: the response, or the failure that says why there is none. */
    private Exchange exchange(HttpRequest.Builder request, String promql) {
        request.timeout(timeout).header("Accept", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            return new Exchange(sendOnFreshConnectionIfStale(request.build()), null);
        } catch (HttpConnectTimeoutException e) {
            return new Exchange(null, failure(promql, QueryResult.Kind.UNREACHABLE, "could not connect to Prometheus at " + base + " within " + timeout.toMillis() + " ms"));
        } catch (HttpTimeoutException e) {
            return new Exchange(null, failure(promql, QueryResult.Kind.TIMEOUT, "Prometheus at " + base + " did not answer within " + timeout.toMillis() + " ms"));
        } catch (ConnectException e) {
            return new Exchange(null, failure(promql, QueryResult.Kind.UNREACHABLE, "could not connect to Prometheus at " + base + " (connection refused)"));
        } catch (IOException e) {
            return new Exchange(null, failure(promql, QueryResult.Kind.UNREACHABLE, "could not reach Prometheus at " + base + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Exchange(null, failure(promql, QueryResult.Kind.TIMEOUT, "interrupted while waiting for Prometheus"));
        }
    }

    /**
     * Sends once more, at once, when the first try failed with an I/O error that is neither a
     * timeout nor a refused connection: that is a pooled keep-alive connection the server had
     * already closed ("header parser received no bytes"), not Prometheus being down, and a read-only
     * query is safe to repeat. A second failure is the answer.
     */
    private HttpResponse<String> sendOnFreshConnectionIfStale(HttpRequest request) throws IOException, InterruptedException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException | ConnectException e) {
            throw e;
        } catch (IOException stale) {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    private static QueryResult parse(String promql, HttpResponse<String> response) {
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        if (body != null && "error".equals(body.path("status").asText())) {
            return failure(promql, QueryResult.Kind.QUERY_ERROR, "Prometheus rejected the query (" + body.path("errorType").asText("error")
                    + "): " + body.path("error").asText());
        }
        if (response.statusCode() != 200) {
            return failure(promql, QueryResult.Kind.HTTP_ERROR, "Prometheus answered HTTP " + response.statusCode());
        }
        if (body == null || !"success".equals(body.path("status").asText())) {
            return failure(promql, QueryResult.Kind.MALFORMED, "Prometheus answered something that is not a query result");
        }
        JsonNode data = body.path("data");
        List<Series> series = new ArrayList<>();
        switch (data.path("resultType").asText()) {
            case "scalar" -> series.add(new Series(Map.of(), number(data.path("result").get(1))));
            case "vector" -> data.path("result").forEach(item -> series.add(new Series(labels(item.path("metric")),
                    number(item.path("value").get(1)))));
            case "matrix" -> {
                List<QueryResult.RangeSeries> ranges = new ArrayList<>();
                data.path("result").forEach(item -> {
                    List<QueryResult.Sample> samples = new ArrayList<>();
                    item.path("values").forEach(pair -> samples.add(new QueryResult.Sample(
                            Instant.ofEpochMilli(Math.round(pair.get(0).asDouble() * 1000)), number(pair.get(1)))));
                    ranges.add(new QueryResult.RangeSeries(labels(item.path("metric")), samples));
                });
                return ranges.isEmpty()
                        ? failure(promql, QueryResult.Kind.NO_DATA, "the query returned no series over that range")
                        : new QueryResult.Matrix(promql, ranges);
            }
            default -> {
                return failure(promql, QueryResult.Kind.MALFORMED, "the query returned a " + data.path("resultType").asText()
                        + ", not a number or a vector");
            }
        }
        if (series.isEmpty()) {
            return noSeries(promql);
        }
        return new QueryResult.Values(promql, series);
    }

    /** The failure of a query that matched no series. */
    static QueryResult.Failure noSeries(String promql) {
        return failure(promql, QueryResult.Kind.NO_DATA, "the query returned no series: no traffic yet, a label that "
                + "matches nothing, or a metric Prometheus does not have");
    }

    private static double number(JsonNode value) {
        if (value == null) {
            return Double.NaN;
        }
        return switch (value.asText()) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(value.asText());
        };
    }

    private static Map<String, String> labels(JsonNode metric) {
        Map<String, String> labels = new HashMap<>();
        metric.fields().forEachRemaining(field -> labels.put(field.getKey(), field.getValue().asText()));
        return labels;
    }

    private static QueryResult.Failure failure(String promql, QueryResult.Kind kind, String reason) {
        return new QueryResult.Failure(promql, kind, reason);
    }

    private static String authorization(MetricsConfig config) {
        if (config.bearerToken().isPresent()) {
            return "Bearer " + config.bearerToken().get();
        }
        if (config.username().isPresent()) {
            String credentials = config.username().get() + ":" + config.password().orElse("");
            return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }
}

package dev.faultline.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.faultline.metrics.QueryResult;
import dev.faultline.metrics.Series;
import dev.faultline.resilience.Impact.Change;
import dev.faultline.resilience.Impact.Edge;
import dev.faultline.resilience.Impact.Level;
import dev.faultline.resilience.Impact.Traffic;

/**
 * The PromQL of an impact and how its answers become edges: per window one query of the request
 * rates by edge, answer code and flags, and one per latency quantile — three queries a window,
 * however many edges there are — each evaluated at the window's end over the window's length.
 */
final class ImpactQueries {

    /** The labels an edge is told by: who reported it, the caller, the destination. */
    static final String EDGE = "reporter, source_workload, source_workload_namespace, source_canonical_service, destination_service_name, "
            + "destination_service_namespace";
    /** Which proxy's reports an edge is read from, best first: the caller's sees the injected faults and delays as the caller did. */
    private static final List<String> REPORTERS = List.of("source", "waypoint", "destination");
    static final double SMALL_POINTS = 0.01;
    static final double LARGE_POINTS = 0.05;
    static final double SMALL_RATIO = 1.2;
    static final double LARGE_RATIO = 2.0;
    /** Rates are quotients of floating-point sums: 0.03 - 0.02 must count as the point it is. */
    private static final double EPSILON = 1e-9;

    private ImpactQueries() {
    }

    /** Calls into {@code namespace}'s services: requests per second by edge, answer code and flags. */
    static String requests(String namespace, Duration range) {
        return "sum by (" + EDGE + ", response_code, response_flags) (rate(istio_requests_total{destination_service_namespace=\""
                + namespace + "\"}[" + range(range) + "]))";
    }

    static String quantile(String q, String namespace, Duration range) {
        return "histogram_quantile(" + q + ", sum by (le, " + EDGE + ") (rate(istio_request_duration_milliseconds_bucket"
                + "{destination_service_namespace=\"" + namespace + "\"}[" + range(range) + "])))";
    }

    private static String range(Duration range) {
        return Math.max(1, range.toMillis()) + "ms";
    }

    /** Who called whom. */
    record Key(String source, String sourceNamespace, String sourceService, String destination, String destinationNamespace) {

        static Key of(Map<String, String> labels) {
            return new Key(labels.getOrDefault("source_workload", "unknown"), labels.getOrDefault("source_workload_namespace", "unknown"),
                    labels.getOrDefault("source_canonical_service", labels.getOrDefault("source_workload", "unknown")),
                    labels.getOrDefault("destination_service_name", "unknown"), labels.getOrDefault("destination_service_namespace", "unknown"));
        }
    }

    /** One window's traffic by edge and reporter, from its three answers (a failed or empty answer leaves its figures null). */
    static Map<Key, Map<String, Traffic>> traffic(QueryResult requests, QueryResult p50, QueryResult p99) {
        Map<Key, Map<String, double[]>> counts = new LinkedHashMap<>(); // all, 5xx, not injected, 5xx not injected
        for (Series series : series(requests)) {
            if (Double.isNaN(series.value())) {
                continue;
            }
            double[] sums = counts.computeIfAbsent(Key.of(series.labels()), k -> new LinkedHashMap<>())
                    .computeIfAbsent(series.labels().getOrDefault("reporter", "unknown"), r -> new double[4]);
            boolean error = series.labels().getOrDefault("response_code", "").startsWith("5");
            String flags = series.labels().getOrDefault("response_flags", "-");
            boolean injected = flags.contains("FI") || flags.contains("DI");
            sums[0] += series.value();
            sums[1] += error ? series.value() : 0;
            sums[2] += injected ? 0 : series.value();
            sums[3] += error && !injected ? series.value() : 0;
        }
        Map<Key, Map<String, Double>> medians = quantiles(p50);
        Map<Key, Map<String, Double>> tails = quantiles(p99);
        Set<Key> keys = new java.util.LinkedHashSet<>(counts.keySet());
        keys.addAll(medians.keySet());
        Map<Key, Map<String, Traffic>> traffic = new LinkedHashMap<>();
        for (Key key : keys) {
            Set<String> reporters = new TreeSet<>(counts.getOrDefault(key, Map.of()).keySet());
            reporters.addAll(medians.getOrDefault(key, Map.of()).keySet());
            for (String reporter : reporters) {
                double[] sums = counts.getOrDefault(key, Map.of()).get(reporter);
                Double rate = sums == null ? null : sums[0];
                traffic.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(reporter, new Traffic(rate,
                        sums == null || sums[0] <= 0 ? null : sums[1] / sums[0],
                        sums == null || sums[2] <= 0 ? null : sums[3] / sums[2],
                        medians.getOrDefault(key, Map.of()).get(reporter), tails.getOrDefault(key, Map.of()).get(reporter)));
            }
        }
        return traffic;
    }

    private static Map<Key, Map<String, Double>> quantiles(QueryResult result) {
        Map<Key, Map<String, Double>> values = new HashMap<>();
        for (Series series : series(result)) {
            if (!Double.isNaN(series.value()) && !Double.isInfinite(series.value())) {
                values.computeIfAbsent(Key.of(series.labels()), k -> new HashMap<>()).put(series.labels().getOrDefault("reporter", "unknown"),
                        series.value());
            }
        }
        return values;
    }

    private static List<Series> series(QueryResult result) {
        return result instanceof QueryResult.Values values ? values.series() : List.of();
    }

    /**
     * The edges of the three windows ({@code after} may be null), each read from one reporter in
     * every window: the caller's when it reports the edge, else the waypoint's, else the destination's.
     */
    static List<Edge> edges(Map<Key, Map<String, Traffic>> before, Map<Key, Map<String, Traffic>> during, Map<Key, Map<String, Traffic>> after,
            String targetNamespace, String targetService) {
        Set<Key> keys = new java.util.LinkedHashSet<>(before.keySet());
        keys.addAll(during.keySet());
        if (after != null) {
            keys.addAll(after.keySet());
        }
        List<Edge> edges = new ArrayList<>();
        for (Key key : keys) {
            Set<String> seen = new java.util.HashSet<>();
            for (Map<Key, Map<String, Traffic>> window : java.util.Arrays.asList(before, during, after)) {
                if (window != null) {
                    seen.addAll(window.getOrDefault(key, Map.of()).keySet());
                }
            }
            String reporter = REPORTERS.stream().filter(seen::contains).findFirst().orElse(seen.stream().sorted().findFirst().orElse("unknown"));
            Traffic beforeTraffic = pick(before, key, reporter);
            Traffic duringTraffic = pick(during, key, reporter);
            Traffic afterTraffic = after == null ? null : pick(after, key, reporter);
            if (!requested(beforeTraffic) && !requested(duringTraffic) && !requested(afterTraffic)) {
                continue; // a counter that stopped before the windows still answers a rate of 0: no calls, no edge
            }
            edges.add(new Edge(key.source(), key.sourceNamespace(), key.sourceService(), key.destination(), key.destinationNamespace(), reporter,
                    key.destination().equals(targetService) && key.destinationNamespace().equals(targetNamespace), beforeTraffic, duringTraffic,
                    afterTraffic, change(beforeTraffic, duringTraffic)));
        }
        edges.sort(Comparator.comparing((Edge edge) -> !edge.target()).thenComparing(edge -> rank(edge.change().level()))
                .thenComparing(Edge::source).thenComparing(Edge::destination));
        return edges;
    }

    private static boolean requested(Traffic traffic) {
        return traffic != null && traffic.requestRate() != null && traffic.requestRate() > 0;
    }

    private static Traffic pick(Map<Key, Map<String, Traffic>> window, Key key, String reporter) {
        return window.getOrDefault(key, Map.of()).get(reporter);
    }

    private static int rank(Level level) {
        return switch (level) {
            case LARGE -> 0;
            case NEW, GONE -> 1;
            case SMALL -> 2;
            case NONE -> 3;
        };
    }

    /** How much an edge changed from {@code before} to {@code during}. */
    static Change change(Traffic before, Traffic during) {
        boolean had = before != null && before.requestRate() != null && before.requestRate() > 0;
        boolean has = during != null && during.requestRate() != null && during.requestRate() > 0;
        if (!had || !has) {
            return new Change(had == has ? Level.NONE : had ? Level.GONE : Level.NEW, null, null);
        }
        Double points = before.errorRate() != null && during.errorRate() != null ? during.errorRate() - before.errorRate() : null;
        Double ratio = before.latencyP99() != null && during.latencyP99() != null && before.latencyP99() > 0
                ? during.latencyP99() / before.latencyP99() : null;
        Level level = Level.NONE;
        if (atLeast(points, LARGE_POINTS) || atLeast(ratio, LARGE_RATIO)) {
            level = Level.LARGE;
        } else if (atLeast(points, SMALL_POINTS) || atLeast(ratio, SMALL_RATIO)) {
            level = Level.SMALL;
        }
        return new Change(level, points, ratio);
    }

    private static boolean atLeast(Double figure, double threshold) {
        return figure != null && figure >= threshold - EPSILON;
    }
}

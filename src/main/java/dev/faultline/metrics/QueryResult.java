package dev.faultline.metrics;

import java.util.List;

/** What a PromQL query gave: series, or why there are none. Every failure is distinct and explained. */
public sealed interface QueryResult {

    String query();

    /** The query ran and returned at least one series (values may still be NaN). */
    record Values(String query, List<Series> series) implements QueryResult {
        public Values {
            series = List.copyOf(series);
        }
    }

    /** A range query's series: each with its labels and samples. */
    record Matrix(String query, List<RangeSeries> series) implements QueryResult {
        public Matrix {
            series = List.copyOf(series);
        }
    }

    record RangeSeries(java.util.Map<String, String> labels, List<Sample> samples) {
    }

    record Sample(java.time.Instant at, double value) {
    }

    /** The query gave nothing usable; {@code reason} says what, for the user. */
    record Failure(String query, Kind kind, String reason) implements QueryResult {
    }

    enum Kind {
        /** Prometheus could not be reached (connection refused, unknown host). */
        UNREACHABLE,
        /** Prometheus did not answer within the timeout. */
        TIMEOUT,
        /** Prometheus answered with an HTTP error status. */
        HTTP_ERROR,
        /** Prometheus rejected the query ({@code "status": "error"}): bad PromQL, or it timed out inside. */
        QUERY_ERROR,
        /** The query matched no series: no traffic, a wrong label, or a metric that does not exist. */
        NO_DATA,
        /** The answer could not be understood. */
        MALFORMED
    }
}

package dev.faultline.metrics;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * PromQL for a service's golden signals on Istio's standard metrics, over a window, as the
 * destination's or the source's proxy (or, in ambient mode, the waypoint) reported them. With {@code excludeInjected}, requests that
 * Istio faulted on purpose ({@code response_flags} FI: injected abort, DI: injected delay) are left
 * out, so the figure shows harm beyond the fault itself.
 */
public record GoldenSignal(Signal signal, String service, String namespace, Duration window, Reporter reporter,
        boolean excludeInjected) {

    public enum Signal {
        REQUEST_RATE, ERROR_RATE, LATENCY_P50, LATENCY_P90, LATENCY_P99
    }

    /** Whose proxy reported the request: the destination's or the source's sidecar, or ambient mode's waypoint. */
    public enum Reporter {
        DESTINATION, SOURCE, WAYPOINT
    }

    /** What this signal shares with the same signal of other services: one query for all of them, by service. */
    public Shared shared() {
        return new Shared(signal, window, reporter, excludeInjected);
    }

    /** This service's series in an answer to its {@link #shared()} query, labelled as the single query's value is: not at all. */
    public QueryResult own(QueryResult shared) {
        if (!(shared instanceof QueryResult.Values values)) {
            return shared;
        }
        for (Series series : values.series()) {
            if (service.equals(series.labels().get(Shared.SERVICE)) && namespace.equals(series.labels().get(Shared.NAMESPACE))) {
                return new QueryResult.Values(promql(), List.of(new Series(java.util.Map.of(), series.value())));
            }
        }
        return new QueryResult.Failure(promql(), QueryResult.Kind.NO_DATA, "the query returned no series for " + service + "."
                + namespace + ": no traffic yet, a label that matches nothing, or a metric Prometheus does not have");
    }

    /** The series this signal reads (their requests counter), for asking which targets they are scraped from. */
    public String seriesSelector() {
        return "istio_requests_total" + selector(null);
    }

    /**
     * One golden signal of every service (of the given namespaces) in one vector query, {@code by
     * (destination_service_name, destination_workload_namespace)}: each service's series has the value its own
     * {@link GoldenSignal#promql()} gives. Runs that watch the same signal of different services send this once.
     */
    public record Shared(Signal signal, Duration window, Reporter reporter, boolean excludeInjected) {

        static final String SERVICE = "destination_service_name";
        static final String NAMESPACE = "destination_workload_namespace";
        private static final String BY = SERVICE + ", " + NAMESPACE;
        private static final Pattern NAMESPACE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

        /** Every service of these namespaces (or of all when they are not plain names). */
        public String promql(Collection<String> namespaces) {
            return promql(namespaces, List.of());
        }

        /**
         * These services of these namespaces, or every service of the namespaces when {@code services} is empty or not
         * plain names: Prometheus then reads only the series the runs need, not those of every service.
         */
        public String promql(Collection<String> namespaces, Collection<String> services) {
            String all = sharedSelector(namespaces, services, null);
            String requests = "rate(istio_requests_total" + all + "[" + range(window) + "])";
            return switch (signal) {
                case REQUEST_RATE -> "sum by (" + BY + ") (" + requests + ")";
                case ERROR_RATE -> "(sum by (" + BY + ") (rate(istio_requests_total"
                        + sharedSelector(namespaces, services, "response_code=~\"5..\"")
                        + "[" + range(window) + "])) or sum by (" + BY + ") (" + requests + ") * 0) / sum by (" + BY + ") (" + requests + ")";
                case LATENCY_P50 -> quantile("0.5", namespaces, services);
                case LATENCY_P90 -> quantile("0.9", namespaces, services);
                case LATENCY_P99 -> quantile("0.99", namespaces, services);
            };
        }

        /** The requests counter of every service of these namespaces as the reporter reports them. */
        public String requestsSelector(Collection<String> namespaces) {
            return "istio_requests_total" + sharedSelector(namespaces, List.of(), null);
        }

        private String quantile(String q, Collection<String> namespaces, Collection<String> services) {
            return "histogram_quantile(" + q + ", sum by (le, " + BY + ") (rate(istio_request_duration_milliseconds_bucket"
                    + sharedSelector(namespaces, services, null) + "[" + range(window) + "])))";
        }

        /** The reporter and, when every namespace (service) is a plain Kubernetes name, those namespaces (services) only. */
        private String sharedSelector(Collection<String> namespaces, Collection<String> services, String extra) {
            StringBuilder selector = new StringBuilder("{reporter=\"").append(reporter.name().toLowerCase(Locale.ROOT)).append('"');
            alternatives(selector, NAMESPACE, namespaces);
            alternatives(selector, SERVICE, services);
            if (excludeInjected) {
                selector.append(",response_flags!~\".*(FI|DI).*\"");
            }
            if (extra != null) {
                selector.append(',').append(extra);
            }
            return selector.append('}').toString();
        }

        private static void alternatives(StringBuilder selector, String label, Collection<String> names) {
            if (!names.isEmpty() && names.stream().allMatch(name -> NAMESPACE_NAME.matcher(name).matches())) {
                selector.append(',').append(label).append("=~\"").append(String.join("|", names.stream().sorted().distinct().toList()))
                        .append('"');
            }
        }
    }

    /** The PromQL this template stands for; users see it and can always write it (or their own) instead. */
    public String promql() {
        String requests = "istio_requests_total" + selector(null);
        return switch (signal) {
            case REQUEST_RATE -> "sum(rate(" + requests + "[" + range() + "]))";
            case ERROR_RATE -> "(sum(rate(istio_requests_total" + selector("response_code=~\"5..\"") + "[" + range()
                    + "])) or vector(0)) / sum(rate(" + requests + "[" + range() + "]))";
            case LATENCY_P50 -> quantile("0.5");
            case LATENCY_P90 -> quantile("0.9");
            case LATENCY_P99 -> quantile("0.99");
        };
    }

    private String quantile(String q) {
        return "histogram_quantile(" + q + ", sum by (le) (rate(istio_request_duration_milliseconds_bucket" + selector(null)
                + "[" + range() + "])))";
    }

    private String selector(String extra) {
        StringBuilder selector = new StringBuilder("{reporter=\"").append(reporter.name().toLowerCase(Locale.ROOT))
                .append("\",destination_service_name=\"").append(escape(service))
                .append("\",destination_workload_namespace=\"").append(escape(namespace)).append('"');
        if (excludeInjected) {
            selector.append(",response_flags!~\".*(FI|DI).*\"");
        }
        if (extra != null) {
            selector.append(',').append(extra);
        }
        return selector.append('}').toString();
    }

    /** A PromQL duration: whole seconds as {@code 30s}, anything finer in milliseconds. */
    private String range() {
        return range(window);
    }

    private static String range(Duration window) {
        return window.toMillis() % 1000 == 0 ? window.toSeconds() + "s" : window.toMillis() + "ms";
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}

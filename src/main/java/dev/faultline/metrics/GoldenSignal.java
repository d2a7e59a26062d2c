package dev.faultline.metrics;

import java.time.Duration;
import java.util.Locale;

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
        return window.toMillis() % 1000 == 0 ? window.toSeconds() + "s" : window.toMillis() + "ms";
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}

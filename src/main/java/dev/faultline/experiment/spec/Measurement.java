package dev.faultline.experiment.spec;

import dev.faultline.Durations;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * Where a probe or guardrail gets its value: exactly one of a PromQL query, a golden-signal template,
 * an HTTP request, a Deployment's readiness, or a service's resilience posture. Written as one key next
 * to the check's name.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Measurement(PrometheusQuery prometheus, GoldenSignal goldenSignal, HttpCheck http,
        KubernetesCheck kubernetes, PostureCheck posture) {

    public Measurement(PrometheusQuery prometheus, GoldenSignal goldenSignal, HttpCheck http, KubernetesCheck kubernetes) {
        this(prometheus, goldenSignal, http, kubernetes, null);
    }

    /** Prometheus-backed measurements give a number and so need a tolerance; the others state their own expectation. */
    public boolean needsTolerance() {
        return prometheus != null || goldenSignal != null;
    }

    public record PrometheusQuery(String query) {
    }

    /**
     * A golden signal of a service from Istio's standard metrics, over {@code window}.
     *
     * @param namespace defaults to the target's namespace
     * @param excludeInjected drop responses Istio marks as injected ({@code response_flags} FI, DI)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "signal", "service", "namespace", "window", "reporter", "excludeInjected" })
    public record GoldenSignal(Signal signal, String service, String namespace,
            @JsonSerialize(using = Durations.Json.class) Duration window, Reporter reporter, Boolean excludeInjected) {

        public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);
    }

    public enum Signal {
        REQUEST_RATE("requestRate"),
        ERROR_RATE("errorRate"),
        LATENCY_P50("latencyP50"),
        LATENCY_P90("latencyP90"),
        LATENCY_P99("latencyP99");

        private final String key;

        Signal(String key) {
            this.key = key;
        }

        @JsonValue
        public String key() {
            return key;
        }
    }

    public enum Reporter {
        DESTINATION("destination"),
        SOURCE("source"),
        /** The waypoint proxy of Istio's ambient mode, where the L7 metrics of a service come from. */
        WAYPOINT("waypoint");

        private final String key;

        Reporter(String key) {
            this.key = key;
        }

        @JsonValue
        public String key() {
            return key;
        }
    }

    /**
     * An HTTP request that passes when the status is expected, the answer comes within {@code maxLatency},
     * and the body matches {@code bodyRegex} and {@code jsonPath}, each when given.
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({ "url", "method", "headers", "body", "expectStatus", "timeout", "maxLatency", "bodyRegex",
            "jsonPath" })
    public record HttpCheck(String url, String method, Map<String, HeaderValue> headers, String body,
            StatusRange expectStatus,
            @JsonSerialize(using = Durations.Json.class) Duration timeout,
            @JsonSerialize(using = Durations.Json.class) Duration maxLatency,
            String bodyRegex, JsonPathCheck jsonPath) {

        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

        public HttpCheck {
            headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        }

        /** This check with other headers (masked, or given back their stored values). */
        public HttpCheck withHeaders(Map<String, HeaderValue> replaced) {
            return new HttpCheck(url, method, replaced, body, expectStatus, timeout, maxLatency, bodyRegex, jsonPath);
        }
    }

    /** The value at {@code path} (JSONPath, from {@code $}) must equal {@code equals}, compared as text. */
    public record JsonPathCheck(String path, String equals) {
    }

    /** A Deployment passes when all its desired replicas are ready. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record KubernetesCheck(String deployment, String namespace) {
    }

    /**
     * A service's posture, read from the mesh's configuration, must have what is asked of it: each
     * expectation given must hold, and at least one must be given.
     *
     * @param namespace defaults to the target's namespace
     * @param mtls the mTLS mode its workloads must have (STRICT, PERMISSIVE, DISABLE, UNSET)
     * @param maxTimeout every route to the service must have a timeout, of at most this
     * @param retries true: every route to it must retry (attempts above 0); false: none may
     * @param circuitBreaker true: its DestinationRule must set outlierDetection; false: it must not
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "service", "namespace", "mtls", "maxTimeout", "retries", "circuitBreaker" })
    public record PostureCheck(String service, String namespace, String mtls,
            @JsonSerialize(using = Durations.Json.class) Duration maxTimeout, Boolean retries, Boolean circuitBreaker) {

        public static final java.util.List<String> MTLS_MODES = java.util.List.of("STRICT", "PERMISSIVE", "DISABLE", "UNSET");
    }
}

package dev.faultline.metrics;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where Prometheus is and how to reach it. The token and password are secrets: never logged, never returned. */
@ConfigMapping(prefix = "faultline.metrics")
public interface MetricsConfig {

    /** Prometheus base URL, e.g. {@code http://prometheus.istio-system:9090}. */
    @WithDefault("http://localhost:9090")
    String prometheusUrl();

    /** Sent as {@code Authorization: Bearer}, when set. */
    Optional<String> bearerToken();

    /** With {@link #password()}, sent as HTTP Basic, when set (and no bearer token is). */
    Optional<String> username();

    Optional<String> password();

    /** How long one query may take before it counts as failed. */
    @WithDefault("PT2S")
    Duration timeout();
}

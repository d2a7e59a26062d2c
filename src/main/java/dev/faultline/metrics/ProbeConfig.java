package dev.faultline.metrics;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** What an operator lets HTTP probes reach that the egress policy ({@link ProbeEgress}) refuses otherwise. */
@ConfigMapping(prefix = "faultline.probes")
public interface ProbeConfig {

    /**
     * Entries {@code host} (any port) or {@code host:port} ({@code [::1]:8080} for IPv6), matched against the host
     * as a probe's URL writes it; none by default.
     */
    Optional<List<String>> allowedHosts();
}

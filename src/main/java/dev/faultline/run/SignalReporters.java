package dev.faultline.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.faultline.mesh.DataPlane;
import dev.faultline.mesh.DataPlanes;
import dev.faultline.mesh.MeshException;
import dev.faultline.metrics.GoldenSignal;

/**
 * Whose series a golden signal reads by default, from the cluster: in Istio's ambient mode there are no
 * sidecars, and a service's HTTP metrics come from its waypoint ({@code reporter="waypoint"}); elsewhere
 * from the destination's sidecar. What the cluster says is kept for a while, so a guardrail checked every
 * second does not read the Kubernetes API every second; when the API cannot be read, sidecar mode is assumed.
 */
@ApplicationScoped
public class SignalReporters implements Measurements.Reporters {

    private static final Logger LOG = Logger.getLogger(SignalReporters.class);
    static final Duration KEEP = Duration.ofSeconds(5);

    private final DataPlanes dataPlanes;
    private final Clock clock;
    private final Map<String, Known> known = new ConcurrentHashMap<>();

    SignalReporters(DataPlanes dataPlanes, Clock clock) {
        this.dataPlanes = dataPlanes;
        this.clock = clock;
    }

    private record Known(GoldenSignal.Reporter reporter, Instant until) {
    }

    @Override
    public GoldenSignal.Reporter of(String namespace, String service) {
        if (namespace == null || service == null) {
            return GoldenSignal.Reporter.DESTINATION;
        }
        Instant now = clock.instant();
        Known cached = known.get(namespace + "/" + service);
        if (cached != null && now.isBefore(cached.until())) {
            return cached.reporter();
        }
        GoldenSignal.Reporter reporter;
        try {
            DataPlane plane = dataPlanes.of(namespace, service);
            reporter = plane.ambient() && plane.waypoint() != null ? GoldenSignal.Reporter.WAYPOINT : GoldenSignal.Reporter.DESTINATION;
        } catch (MeshException e) {
            LOG.debugf("Could not read the data plane of %s/%s (%s); golden signals read the destination's series", namespace,
                    service, e.getMessage());
            return cached != null ? cached.reporter() : GoldenSignal.Reporter.DESTINATION;
        }
        known.put(namespace + "/" + service, new Known(reporter, now.plus(KEEP)));
        return reporter;
    }
}

package dev.faultline.run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.Durations;
import dev.faultline.experiment.spec.Measurement.PostureCheck;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.Posture;
import dev.faultline.mesh.PostureReader;
import dev.faultline.metrics.Check;

/**
 * A service's posture against a probe's expectations. The check passes, with value 1, when every
 * expectation holds; otherwise it fails with value 0 and every expectation that does not hold, in words.
 */
@ApplicationScoped
class PostureProbe {

    private final PostureReader reader;

    PostureProbe(PostureReader reader) {
        this.reader = reader;
    }

    Check check(String namespace, PostureCheck expected) {
        Posture posture;
        try {
            posture = reader.read(namespace);
        } catch (MeshException e) {
            return Check.failed(null, e.getMessage());
        }
        Optional<Posture.Service> found = posture.service(expected.service());
        if (found.isEmpty()) {
            return Check.failed(null, "there is no Service " + expected.service() + " in namespace " + namespace);
        }
        List<String> unmet = unmet(found.get(), expected);
        return unmet.isEmpty() ? Check.passed(1) : Check.failed(0.0, String.join("; ", unmet));
    }

    static List<String> unmet(Posture.Service service, PostureCheck expected) {
        List<String> unmet = new ArrayList<>();
        String name = service.service();
        if (expected.mtls() != null && !expected.mtls().equals(service.mtls())) {
            unmet.add("mTLS of " + name + " is " + service.mtls() + ", expected " + expected.mtls() + " (" + service.mtlsSource() + ")");
        }
        if (expected.maxTimeout() != null) {
            String max = Durations.format(expected.maxTimeout());
            if (service.routes().isEmpty()) {
                unmet.add("no VirtualService routes calls to " + name + ", so they have no timeout (expected at most " + max + ")");
            }
            for (Posture.Route route : service.routes()) {
                if (route.timeout() == null) {
                    unmet.add(where(route) + " has no timeout (expected at most " + max + ")");
                    continue;
                }
                Optional<Duration> timeout = Durations.parse(route.timeout());
                if (timeout.isEmpty() || timeout.get().compareTo(expected.maxTimeout()) > 0) {
                    unmet.add(where(route) + " has timeout " + route.timeout() + ", above " + max);
                }
            }
        }
        if (Boolean.TRUE.equals(expected.retries())) {
            if (service.routes().isEmpty()) {
                unmet.add("no VirtualService routes calls to " + name + ", so none states retries (Istio's default retries "
                        + "connection failures only)");
            }
            for (Posture.Route route : service.routes()) {
                if (route.retries() == null) {
                    unmet.add(where(route) + " states no retries (Istio's default retries connection failures only)");
                } else if (route.retries().attempts() == 0) {
                    unmet.add(where(route) + " turns retries off (attempts: 0)");
                }
            }
        }
        if (Boolean.FALSE.equals(expected.retries())) {
            for (Posture.Route route : service.routes()) {
                if (route.retries() != null && route.retries().attempts() > 0) {
                    unmet.add(where(route) + " retries " + route.retries().attempts() + " times, expected no retries");
                }
            }
        }
        if (expected.circuitBreaker() != null) {
            Posture.CircuitBreaker breaker = service.circuitBreaker();
            boolean has = breaker != null && breaker.detectsOutliers();
            if (expected.circuitBreaker() && !has) {
                unmet.add("no circuit breaking for " + name + ": " + Posture.CircuitBreaker.whyNone(breaker));
            } else if (!expected.circuitBreaker() && has) {
                unmet.add("DestinationRule " + breaker.destinationRule() + " sets outlierDetection for " + name
                        + ", expected none");
            }
        }
        return unmet;
    }

    private static String where(Posture.Route route) {
        return "route " + route.route() + " of VirtualService " + route.virtualService();
    }
}

package dev.faultline.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.faultline.experiment.spec.Measurement.PostureCheck;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.Posture;
import dev.faultline.metrics.Check;
import dev.faultline.testing.IstioFixtures;

/** A posture probe's expectations, each at and beyond its limit. */
class PostureProbeTest {

    private static final Posture.CircuitBreaker OUTLIERS = new Posture.CircuitBreaker("reviews",
            IstioFixtures.yaml("{consecutive5xxErrors: 5}"), null, List.of());

    private static Posture.Service reviews(String mtls, Posture.CircuitBreaker breaker, Posture.Route... routes) {
        return new Posture.Service("reviews", "sidecar", null, mtls, "PeerAuthentication shop/default", List.of(routes), breaker, List.of());
    }

    private static Posture.Route route(String name, String timeout, Posture.Retries retries) {
        return new Posture.Route("reviews", name, 0, List.of(), timeout, retries);
    }

    private static PostureCheck expecting(String mtls, Duration maxTimeout, Boolean retries, Boolean circuitBreaker) {
        return new PostureCheck("reviews", null, mtls, maxTimeout, retries, circuitBreaker);
    }

    @Test
    void mtlsMustBeTheModeAsked() {
        assertThat(PostureProbe.unmet(reviews("STRICT", OUTLIERS), expecting("STRICT", null, null, null))).isEmpty();
        assertThat(PostureProbe.unmet(reviews("PERMISSIVE", OUTLIERS), expecting("STRICT", null, null, null)))
                .containsExactly("mTLS of reviews is PERMISSIVE, expected STRICT (PeerAuthentication shop/default)");
    }

    @Test
    void everyRouteNeedsATimeoutAtMostTheMaximum() {
        PostureCheck atMostTwo = expecting(null, Duration.ofSeconds(2), null, null);

        assertThat(PostureProbe.unmet(reviews("STRICT", null, route("a", "2s", null), route("b", "0.5s", null)), atMostTwo)).isEmpty();
        assertThat(PostureProbe.unmet(reviews("STRICT", null, route("a", "2.001s", null), route("b", null, null)), atMostTwo))
                .containsExactly("route a of VirtualService reviews has timeout 2.001s, above 2s",
                        "route b of VirtualService reviews has no timeout (expected at most 2s)");
        assertThat(PostureProbe.unmet(reviews("STRICT", null), atMostTwo))
                .containsExactly("no VirtualService routes calls to reviews, so they have no timeout (expected at most 2s)");
    }

    @Test
    void retriesTrueNeedsStatedRetriesOnEveryRouteAndFalseNeedsNone() {
        Posture.Service service = reviews("STRICT", null, route("a", "1s", new Posture.Retries(2, "300ms", "5xx")),
                route("b", "1s", new Posture.Retries(0, null, null)), route("c", "1s", null));

        assertThat(PostureProbe.unmet(service, expecting(null, null, true, null))).containsExactly(
                "route b of VirtualService reviews turns retries off (attempts: 0)",
                "route c of VirtualService reviews states no retries (Istio's default retries connection failures only)");
        assertThat(PostureProbe.unmet(service, expecting(null, null, false, null)))
                .containsExactly("route a of VirtualService reviews retries 2 times, expected no retries");
    }

    @Test
    void circuitBreakerAsksForOutlierDetectionAtTheTopOrInASubset() {
        Posture.CircuitBreaker subsetOnly = new Posture.CircuitBreaker("reviews", null, null,
                List.of(new Posture.SubsetPolicy("v2", IstioFixtures.yaml("{consecutive5xxErrors: 1}"), null)));
        Posture.CircuitBreaker pool = new Posture.CircuitBreaker("reviews", null, IstioFixtures.yaml("{tcp: {maxConnections: 1}}"),
                List.of());

        assertThat(PostureProbe.unmet(reviews("STRICT", OUTLIERS), expecting(null, null, null, true))).isEmpty();
        assertThat(PostureProbe.unmet(reviews("STRICT", subsetOnly), expecting(null, null, null, true))).isEmpty();
        assertThat(PostureProbe.unmet(reviews("STRICT", pool), expecting(null, null, null, true)))
                .containsExactly("no circuit breaking for reviews: DestinationRule reviews sets no outlierDetection");
        assertThat(PostureProbe.unmet(reviews("STRICT", null), expecting(null, null, null, true)))
                .containsExactly("no circuit breaking for reviews: no DestinationRule is written for it");
        assertThat(PostureProbe.unmet(reviews("STRICT", OUTLIERS), expecting(null, null, null, false)))
                .containsExactly("DestinationRule reviews sets outlierDetection for reviews, expected none");
    }

    @Test
    void theCheckFailsWithEveryUnmetExpectationAMissingServiceOrAnUnreadableCluster() {
        Posture posture = new Posture("shop", "STRICT", "mesh", List.of(reviews("PERMISSIVE", null, route("a", null, null))));
        PostureProbe probe = new PostureProbe(namespace -> posture);

        Check check = probe.check("shop", expecting("STRICT", Duration.ofSeconds(1), null, null));
        assertThat(check.passed()).isFalse();
        assertThat(check.value()).isEqualTo(0.0);
        assertThat(check.reason()).isEqualTo("mTLS of reviews is PERMISSIVE, expected STRICT (PeerAuthentication shop/default); "
                + "route a of VirtualService reviews has no timeout (expected at most 1s)");
        assertThat(probe.check("shop", new PostureCheck("ratings", null, "STRICT", null, null, null)).reason())
                .isEqualTo("there is no Service ratings in namespace shop");
        assertThat(probe.check("shop", expecting("PERMISSIVE", null, null, null)).passed()).isTrue();

        PostureProbe away = new PostureProbe(namespace -> {
            throw new MeshException(MeshException.Reason.UNAVAILABLE, "could not list Services in shop: the Kubernetes API did not answer");
        });
        assertThat(away.check("shop", expecting("STRICT", null, null, null)).reason()).contains("did not answer");
    }
}

package dev.faultline.mesh.istio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.mesh.DataPlane;
import dev.faultline.mesh.Posture;
import dev.faultline.testing.IstioFixtures;

/** The posture rules one by one, on resources written inline (the cluster's reading is in PostureApiTest). */
class PostureAnalysisTest {

    private static final String NS = "shop";

    private static JsonNode service(String name) {
        return IstioFixtures.yaml("""
                metadata: {name: %s, namespace: shop}
                spec: {selector: {app: %s}, ports: [{port: 9080}]}
                """.formatted(name, name));
    }

    private static JsonNode peerAuthentication(String namespace, String name, String created, String selector, String mode) {
        return IstioFixtures.yaml("""
                metadata: {name: %s, namespace: %s, creationTimestamp: "%s"}
                spec: {%s %s}
                """.formatted(name, namespace, created, selector == null ? "" : "selector: {matchLabels: {app: " + selector + "}},",
                mode == null ? "" : "mtls: {mode: " + mode + "}"));
    }

    private static JsonNode virtualService(String name, String httpRoutes) {
        return IstioFixtures.yaml("""
                metadata: {name: %s, namespace: shop}
                spec:
                  hosts: [%s]
                  http:
                %s
                """.formatted(name, name, httpRoutes.indent(2)));
    }

    private static Posture posture(List<JsonNode> virtualServices, List<JsonNode> destinationRules, List<JsonNode> peerAuthentications,
            List<JsonNode> mesh) {
        return PostureAnalysis.of(NS, "istio-system", null, java.util.Map.of(), List.of(service("reviews"), service("ratings")), virtualServices,
                destinationRules, peerAuthentications, mesh);
    }

    private static Posture.Service reviews(Posture posture) {
        return posture.service("reviews").orElseThrow();
    }

    @Test
    void aServiceWithNothingWrittenHasEveryGapNamed() {
        Posture posture = posture(List.of(), List.of(), List.of(), List.of());

        assertThat(posture.mtls()).isEqualTo("UNSET");
        assertThat(posture.services()).extracting(Posture.Service::service).containsExactly("ratings", "reviews");
        Posture.Service reviews = reviews(posture);
        assertThat(reviews.routes()).isEmpty();
        assertThat(reviews.circuitBreaker()).isNull();
        assertThat(reviews.gaps()).hasSize(3);
        assertThat(reviews.gaps().get(0)).startsWith("no timeout on calls to reviews: no VirtualService routes them");
        assertThat(reviews.gaps().get(1)).startsWith("no circuit breaking for reviews: no DestinationRule is written for it");
        assertThat(reviews.gaps().get(2)).startsWith("mTLS not set for reviews: no PeerAuthentication sets it");
    }

    @Test
    void routesCarryTheirTimeoutAndRetriesAndEachMissingOneIsAGap() {
        JsonNode vs = virtualService("reviews", """
                - name: jason
                  match: [{headers: {end-user: {exact: jason}}}]
                  route: [{destination: {host: reviews, subset: v2}}]
                  timeout: 2s
                  retries: {attempts: 3, perTryTimeout: 500ms, retryOn: "5xx,connect-failure"}
                - name: no-retries
                  route: [{destination: {host: reviews, subset: v1}}]
                  timeout: 1s
                  retries: {attempts: 0}
                - route: [{destination: {host: reviews.shop.svc.cluster.local, subset: v1}}]
                """);

        Posture.Service reviews = reviews(posture(List.of(vs), List.of(), List.of(), List.of()));

        assertThat(reviews.routes()).containsExactly(
                new Posture.Route("reviews", "jason", 0, List.of("v2"), "2s", new Posture.Retries(3, "500ms", "5xx,connect-failure")),
                new Posture.Route("reviews", "no-retries", 1, List.of("v1"), "1s", new Posture.Retries(0, null, null)),
                new Posture.Route("reviews", "#2", 2, List.of("v1"), null, null));
        assertThat(reviews.gaps()).contains("retries off on calls to reviews (VirtualService reviews, route no-retries)",
                "no timeout on calls to reviews (VirtualService reviews, route #2)");
        assertThat(reviews.gaps()).noneMatch(gap -> gap.contains("route jason"));
    }

    @Test
    void retriesThatCannotAllRunWithinTheTimeoutAreAGapAndOnesThatFitAreNot() {
        JsonNode tooMany = virtualService("reviews", """
                - name: tight
                  route: [{destination: {host: reviews}}]
                  timeout: 1s
                  retries: {attempts: 3, perTryTimeout: 300ms}
                """);
        assertThat(reviews(posture(List.of(tooMany), List.of(), List.of(), List.of())).gaps())
                .contains("3 retries of 300ms each do not fit in the 1s timeout of calls to reviews (VirtualService reviews, "
                        + "route tight); the last attempts never run");

        JsonNode fitting = virtualService("reviews", """
                - name: tight
                  route: [{destination: {host: reviews}}]
                  timeout: 1.2s
                  retries: {attempts: 3, perTryTimeout: 300ms}
                """);
        assertThat(reviews(posture(List.of(fitting), List.of(), List.of(), List.of())).gaps()).noneMatch(gap -> gap.contains("fit"));
    }

    @Test
    void circuitBreakingComesFromTheDestinationRuleAndItsSubsets() {
        JsonNode topLevel = IstioFixtures.yaml("""
                metadata: {name: reviews-cb, namespace: shop}
                spec:
                  host: reviews
                  trafficPolicy:
                    connectionPool: {http: {http1MaxPendingRequests: 10}}
                    outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s}
                  subsets:
                  - {name: v1, labels: {version: v1}}
                """);
        Posture.CircuitBreaker breaker = reviews(posture(List.of(), List.of(topLevel), List.of(), List.of())).circuitBreaker();
        assertThat(breaker.destinationRule()).isEqualTo("reviews-cb");
        assertThat(breaker.outlierDetection().path("consecutive5xxErrors").asInt()).isEqualTo(5);
        assertThat(breaker.connectionPool().at("/http/http1MaxPendingRequests").asInt()).isEqualTo(10);
        assertThat(reviews(posture(List.of(), List.of(topLevel), List.of(), List.of())).gaps())
                .noneMatch(gap -> gap.contains("circuit breaking"));

        JsonNode subsetOnly = IstioFixtures.yaml("""
                metadata: {name: reviews, namespace: shop}
                spec:
                  host: reviews.shop.svc.cluster.local
                  subsets:
                  - {name: v1, labels: {version: v1}}
                  - name: v2
                    labels: {version: v2}
                    trafficPolicy: {outlierDetection: {consecutive5xxErrors: 1}}
                """);
        Posture.Service reviews = reviews(posture(List.of(), List.of(subsetOnly), List.of(), List.of()));
        assertThat(reviews.circuitBreaker().outlierDetection()).isNull();
        assertThat(reviews.circuitBreaker().subsets()).extracting(Posture.SubsetPolicy::subset).containsExactly("v2");
        assertThat(reviews.gaps()).noneMatch(gap -> gap.contains("circuit breaking"));

        JsonNode onlySubsets = IstioFixtures.yaml("""
                metadata: {name: plain, namespace: shop}
                spec: {host: reviews, subsets: [{name: v1, labels: {version: v1}}]}
                """);
        assertThat(reviews(posture(List.of(), List.of(onlySubsets), List.of(), List.of())).gaps())
                .contains("no circuit breaking for reviews: DestinationRule plain sets no outlierDetection, so failing endpoints keep getting traffic");
    }

    @Test
    void mtlsComesFromTheWorkloadThenTheNamespaceThenTheMeshAndUnsetInherits() {
        JsonNode mesh = peerAuthentication("istio-system", "default", "2026-01-01T00:00:00Z", null, "STRICT");
        JsonNode namespaceUnset = peerAuthentication(NS, "default", "2026-01-02T00:00:00Z", null, null);
        JsonNode reviewsPermissive = peerAuthentication(NS, "reviews-legacy", "2026-01-03T00:00:00Z", "reviews", "PERMISSIVE");
        JsonNode otherApp = peerAuthentication(NS, "details-off", "2026-01-03T00:00:00Z", "details", "DISABLE");

        Posture posture = posture(List.of(), List.of(), List.of(namespaceUnset, reviewsPermissive, otherApp), List.of(mesh));

        assertThat(posture.mtls()).isEqualTo("STRICT");
        assertThat(posture.mtlsSource()).isEqualTo("namespace-wide PeerAuthentication shop/default leaves it UNSET, so "
                + "mesh-wide PeerAuthentication istio-system/default");
        assertThat(reviews(posture).mtls()).isEqualTo("PERMISSIVE");
        assertThat(reviews(posture).mtlsSource()).isEqualTo("PeerAuthentication shop/reviews-legacy for its workloads");
        assertThat(reviews(posture).gaps()).anyMatch(gap -> gap.startsWith("mTLS PERMISSIVE for reviews: its workloads accept plain text"));
        assertThat(posture.service("ratings").orElseThrow().mtls()).isEqualTo("STRICT");
        assertThat(posture.service("ratings").orElseThrow().gaps()).noneMatch(gap -> gap.contains("mTLS"));
    }

    @Test
    void theOldestPeerAuthenticationOfALevelWinsAsInIstio() {
        JsonNode older = peerAuthentication(NS, "zz-older", "2026-01-01T00:00:00Z", null, "DISABLE");
        JsonNode newer = peerAuthentication(NS, "aa-newer", "2026-02-01T00:00:00Z", null, "STRICT");

        Posture posture = posture(List.of(), List.of(), List.of(newer, older), List.of());

        assertThat(posture.mtls()).isEqualTo("DISABLE");
        assertThat(reviews(posture).gaps()).anyMatch(gap -> gap.startsWith("mTLS DISABLE for reviews: its workloads accept plain text only"));
    }

    @Test
    void faultlinesOwnRulesAreNotPartOfThePosture() {
        JsonNode shared = virtualService("reviews", """
                - name: faultline-run1
                  route: [{destination: {host: reviews}}]
                  fault: {abort: {httpStatus: 503, percentage: {value: 50}}}
                - name: all
                  route: [{destination: {host: reviews}}]
                  timeout: 3s
                """);
        ((com.fasterxml.jackson.databind.node.ObjectNode) shared.get("metadata")).set("annotations",
                IstioFixtures.yaml("{faultline.dev/run: run1, faultline.dev/route: faultline-run1}"));
        JsonNode dedicated = IstioFixtures.yaml("""
                metadata:
                  name: faultline-run2
                  namespace: shop
                  labels: {app.kubernetes.io/managed-by: faultline}
                  annotations: {faultline.dev/run: run2, faultline.dev/route: faultline-run2}
                spec:
                  hosts: [ratings]
                  http: [{name: faultline-run2, route: [{destination: {host: ratings}}]}]
                """);

        Posture posture = posture(List.of(shared, dedicated), List.of(), List.of(), List.of());

        assertThat(reviews(posture).routes()).extracting(Posture.Route::route).containsExactly("all");
        assertThat(posture.service("ratings").orElseThrow().routes()).isEmpty();
    }

    @Test
    void twoVirtualServicesForOneHostAreAGapAndGatewayOnlyOnesDoNotCount() {
        JsonNode first = virtualService("reviews", "- {name: a, route: [{destination: {host: reviews}}], timeout: 1s}");
        JsonNode second = IstioFixtures.yaml("""
                metadata: {name: reviews-too, namespace: shop}
                spec: {hosts: [reviews], http: [{name: b, route: [{destination: {host: reviews}}], timeout: 1s}]}
                """);
        JsonNode edge = IstioFixtures.yaml("""
                metadata: {name: reviews-edge, namespace: shop}
                spec: {hosts: [reviews], gateways: [shop-gateway], http: [{name: c, route: [{destination: {host: reviews}}]}]}
                """);

        Posture.Service reviews = reviews(posture(new ArrayList<>(List.of(first, second, edge)), List.of(), List.of(), List.of()));

        assertThat(reviews.routes()).extracting(Posture.Route::route).containsExactly("a", "b");
        assertThat(reviews.gaps()).contains("2 VirtualServices route calls to reviews (reviews, reviews-too); Istio applies only one "
                + "of them to calls inside the mesh");
    }

    @Test
    void meshWidePeerAuthenticationsFaultlineMayNotReadAreSaidSo() {
        Posture posture = PostureAnalysis.of(NS, "istio-system", "Faultline may not read the mesh-wide PeerAuthentications in "
                + "istio-system (403)", java.util.Map.of(), List.of(service("reviews")), List.of(), List.of(), List.of(), List.of());

        assertThat(posture.mtls()).isEqualTo("UNSET");
        assertThat(posture.mtlsSource()).contains("(403)");
    }

    @Test
    void inAmbientModeWithoutAWaypointTheRoutesDoNothingAndThePostureSaysSo() {
        JsonNode vs = virtualService("reviews", "- {name: all, route: [{destination: {host: reviews}}], timeout: 1s}");
        DataPlane none = new DataPlane(DataPlane.Mode.AMBIENT, null, "Namespace shop has no istio.io/use-waypoint label");
        DataPlane waypoint = new DataPlane(DataPlane.Mode.AMBIENT, "shop/waypoint", null);

        Posture posture = PostureAnalysis.of(NS, "istio-system", null, java.util.Map.of("reviews", none, "ratings", waypoint),
                List.of(service("reviews"), service("ratings")), List.of(vs), List.of(), List.of(), List.of());

        Posture.Service reviews = reviews(posture);
        assertThat(reviews.dataPlane()).isEqualTo("ambient");
        assertThat(reviews.waypoint()).isNull();
        assertThat(reviews.gaps().get(0)).isEqualTo("in ambient mode VirtualService routes take effect only in a waypoint, and none "
                + "handles reviews: the timeouts and retries below do nothing (Namespace shop has no istio.io/use-waypoint label)");
        Posture.Service ratings = posture.service("ratings").orElseThrow();
        assertThat(ratings.waypoint()).isEqualTo("shop/waypoint");
        assertThat(ratings.gaps()).noneMatch(gap -> gap.contains("ambient"));
        assertThat(posture(List.of(vs), List.of(), List.of(), List.of()).service("reviews").orElseThrow().dataPlane()).isEqualTo("sidecar");
    }
}

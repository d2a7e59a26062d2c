package dev.faultline.mesh.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.experiment.spec.Fault;
import dev.faultline.experiment.spec.Target;
import dev.faultline.mesh.DataPlane;
import dev.faultline.mesh.DataPlanes;
import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.FaultInjector.Removal;
import dev.faultline.mesh.FaultPlan;
import dev.faultline.mesh.FaultRequest;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.Posture;
import dev.faultline.mesh.PostureReader;
import dev.faultline.mesh.RuleRef;
import dev.faultline.testing.CrdSchema;
import dev.faultline.testing.GatewayApiFixtures;
import dev.faultline.testing.IstioFixtures;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Istio's ambient mode on the mock cluster: a VirtualService fault takes effect only in a waypoint, so without
 * one the run is refused before anything is written; with one it is allowed, warned about (it reaches every
 * caller), and refused when it names callers, which a waypoint ignores.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class IstioAmbientTest {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final Fault.Delay DELAY = new Fault.Delay(Duration.ofSeconds(2), 50);
    private static final Map<String, String> AMBIENT = Map.of("istio.io/dataplane-mode", "ambient");

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    FaultInjector injector;
    @Inject
    DataPlanes dataPlanes;
    @Inject
    PostureReader postures;

    private KubernetesClient client() {
        return server.getClient();
    }

    /** A fresh namespace with these labels, holding Bookinfo's Services and the VirtualServices of {@code samples}. */
    private String namespace(Map<String, String> labels, String... samples) {
        String namespace = "ambient-" + NAMESPACES.incrementAndGet();
        GatewayApiFixtures.labelNamespace(client(), namespace, labels);
        IstioFixtures.seed(client(), namespace, samples);
        return namespace;
    }

    private static Map<String, String> ambientWith(String key, String value) {
        return Map.of("istio.io/dataplane-mode", "ambient", key, value);
    }

    private static FaultRequest request(String run, String namespace, String service, Target.Match match) {
        return new FaultRequest(run, new Target("istio", namespace, service, null, null, match), DELAY, null,
                Instant.parse("2026-11-24T12:00:00Z"), false);
    }

    private static Target.Match bySource(Map<String, String> sourceLabels, String sourceNamespace) {
        return new Target.Match(null, null, null, null, null, null, null, null, sourceLabels, sourceNamespace);
    }

    private List<JsonNode> virtualServices(String namespace) {
        return IstioFixtures.virtualServices(client(), namespace);
    }

    /** The plan's one refusal, which is among its warnings too. */
    private String refusal(FaultRequest request) {
        FaultPlan plan = injector.plan(request);
        assertThat(plan.refusals()).hasSize(1);
        assertThat(plan.warnings()).contains(plan.refusals().get(0));
        return plan.refusals().get(0);
    }

    @Test
    void anAmbientNamespaceWithoutAWaypointIsRefusedAndNothingIsWritten() {
        String namespace = namespace(AMBIENT, "virtual-service-all-v1");
        List<JsonNode> before = virtualServices(namespace);
        FaultRequest request = request("nowaypoint", namespace, "reviews", null);

        assertThat(dataPlanes.of(namespace, "reviews")).satisfies(plane -> {
            assertThat(plane.mode()).isEqualTo(DataPlane.Mode.AMBIENT);
            assertThat(plane.waypoint()).isNull();
            assertThat(plane.faultsTakeEffect()).isFalse();
        });
        assertThat(refusal(request))
                .contains("Service reviews in namespace " + namespace + " is in Istio's ambient mode without a waypoint")
                .contains("neither Service " + namespace + "/reviews nor Namespace " + namespace + " has the label istio.io/use-waypoint")
                .contains("`istioctl waypoint apply -n " + namespace + " --enroll-namespace`, or label the service "
                        + "`istio.io/use-waypoint=<waypoint>`")
                .contains("ztunnel handles only L4: a VirtualService fault takes effect only in a waypoint proxy, so the run would fault nothing");
        assertThatThrownBy(() -> injector.apply(request)).isInstanceOf(MeshException.class)
                .hasMessageContaining("without a waypoint")
                .extracting(e -> ((MeshException) e).reason()).isEqualTo(MeshException.Reason.REFUSED);
        assertThat(virtualServices(namespace)).isEqualTo(before);

        String bare = namespace(AMBIENT);
        FaultRequest dedicated = request("nowaypoint", bare, "details", null);
        assertThat(injector.plan(dedicated).action()).as("Faultline would create its own VirtualService").isEqualTo(FaultPlan.Action.CREATE);
        assertThat(refusal(dedicated)).contains("without a waypoint");
        assertThatThrownBy(() -> injector.apply(dedicated)).isInstanceOf(MeshException.class).hasMessageContaining("fault nothing");
        assertThat(virtualServices(bare)).as("nothing created").isEmpty();
    }

    @Test
    void thePostureOfAnAmbientNamespaceWithoutAWaypointSaysItsRoutesDoNothing() {
        String namespace = namespace(AMBIENT, "virtual-service-all-v1");

        Posture.Service reviews = postures.read(namespace).service("reviews").orElseThrow();

        assertThat(reviews.dataPlane()).isEqualTo("ambient");
        assertThat(reviews.waypoint()).isNull();
        assertThat(reviews.gaps().get(0)).startsWith("in ambient mode VirtualService routes take effect only in a waypoint, and none "
                + "handles reviews: the timeouts and retries below do nothing (neither Service " + namespace + "/reviews nor Namespace "
                + namespace + " has the label istio.io/use-waypoint");
        assertThat(postures.read(namespace(Map.of(), "virtual-service-all-v1")).service("reviews").orElseThrow().dataPlane())
                .isEqualTo("sidecar");
    }

    @Test
    void aWaypointLabelNamingAGatewayThatDoesNotExistIsRefusedNamingIt() {
        String namespace = namespace(ambientWith("istio.io/use-waypoint", "waypoint"), "virtual-service-all-v1");
        List<JsonNode> before = virtualServices(namespace);

        assertThat(refusal(request("gone", namespace, "reviews", null)))
                .contains("label istio.io/use-waypoint=waypoint on Namespace " + namespace + " names waypoint " + namespace
                        + "/waypoint, but there is no Gateway " + namespace + "/waypoint")
                .contains("`istioctl waypoint apply -n " + namespace + " --name waypoint`");
        assertThatThrownBy(() -> injector.apply(request("gone", namespace, "reviews", null))).isInstanceOf(MeshException.class)
                .hasMessageContaining("there is no Gateway " + namespace + "/waypoint");
        assertThat(virtualServices(namespace)).isEqualTo(before);

        String elsewhere = namespace(Map.of("istio.io/dataplane-mode", "ambient", "istio.io/use-waypoint", "shared",
                "istio.io/use-waypoint-namespace", "istio-waypoints"));
        GatewayApiFixtures.waypoint(client(), elsewhere, "shared", Map.of());
        assertThat(refusal(request("gone", elsewhere, "reviews", null)))
                .as("the waypoint is looked for in the namespace istio.io/use-waypoint-namespace names, not the service's")
                .contains("there is no Gateway istio-waypoints/shared");
    }

    @Test
    void aGatewayOfAnotherClassIsNoWaypoint() {
        String namespace = namespace(ambientWith("istio.io/use-waypoint", "ingress"), "virtual-service-all-v1");
        GatewayApiFixtures.gateway(client(), namespace, "ingress", "istio", Map.of());

        assertThat(refusal(request("ingress", namespace, "reviews", null)))
                .contains("Gateway " + namespace + "/ingress (named by label istio.io/use-waypoint=ingress on Namespace " + namespace
                        + ") has class istio, not istio-waypoint, so it is not a waypoint")
                .contains("fault nothing");
    }

    @Test
    void aWaypointForWorkloadsOrForNothingDoesNotTakeTheServicesTraffic() {
        for (String waypointFor : List.of("workload", "none")) {
            String namespace = namespace(ambientWith("istio.io/use-waypoint", "waypoint"), "virtual-service-all-v1");
            GatewayApiFixtures.waypoint(client(), namespace, "waypoint", Map.of("istio.io/waypoint-for", waypointFor));
            List<JsonNode> before = virtualServices(namespace);

            assertThat(refusal(request("workloads", namespace, "reviews", null))).as(waypointFor)
                    .contains("waypoint " + namespace + "/waypoint (named by label istio.io/use-waypoint=waypoint on Namespace "
                            + namespace + ") has istio.io/waypoint-for=" + waypointFor)
                    .contains("not the traffic addressed to Service " + namespace + "/reviews")
                    .contains("istio.io/waypoint-for=service");
            assertThatThrownBy(() -> injector.apply(request("workloads", namespace, "reviews", null))).isInstanceOf(MeshException.class);
            assertThat(virtualServices(namespace)).isEqualTo(before);
        }
    }

    @Test
    void aNamespaceWaypointTakesTheFaultForEveryCaller() {
        for (Map<String, String> gatewayLabels : List.of(Map.<String, String>of(), Map.of("istio.io/waypoint-for", "service"),
                Map.of("istio.io/waypoint-for", "all"))) {
            String namespace = namespace(ambientWith("istio.io/use-waypoint", "waypoint"), "virtual-service-all-v1");
            GatewayApiFixtures.waypoint(client(), namespace, "waypoint", gatewayLabels);
            JsonNode original = IstioFixtures.virtualService(client(), namespace, "reviews");
            FaultRequest request = request("waypoint", namespace, "reviews", null);

            assertThat(dataPlanes.of(namespace, "reviews")).isEqualTo(new DataPlane(DataPlane.Mode.AMBIENT, namespace + "/waypoint", null));
            FaultPlan plan = injector.plan(request);
            assertThat(plan.refusals()).as("waypoint labels %s", gatewayLabels).isEmpty();
            assertThat(plan.warnings()).anyMatch(warning -> warning.contains("the fault is applied at waypoint " + namespace
                    + "/waypoint for every caller of reviews"));

            RuleRef rule = injector.apply(request);
            JsonNode written = IstioFixtures.virtualService(client(), namespace, "reviews");
            CrdSchema.istio().assertValid(written);
            assertThat(written.path("spec").path("http").get(0).path("name").asText()).isEqualTo("faultline-waypoint");
            assertThat(written.path("spec").path("http").get(0).path("fault").has("delay")).isTrue();
            assertThat(injector.remove(rule)).isEqualTo(Removal.REMOVED);
            assertThat(IstioFixtures.virtualService(client(), namespace, "reviews").path("spec")).isEqualTo(original.path("spec"));
        }
    }

    @Test
    void aServicesOwnWaypointLabelTakesPrecedenceAndNoneOptsItOut() {
        // the namespace names a waypoint that does not exist; the service its own, which does
        String namespace = namespace(ambientWith("istio.io/use-waypoint", "missing"), "virtual-service-all-v1");
        GatewayApiFixtures.waypoint(client(), namespace, "reviews-waypoint", Map.of());
        GatewayApiFixtures.labelService(client(), namespace, "reviews", Map.of("istio.io/use-waypoint", "reviews-waypoint"));

        FaultPlan plan = injector.plan(request("own", namespace, "reviews", null));
        assertThat(plan.refusals()).isEmpty();
        assertThat(plan.warnings()).anyMatch(warning -> warning.contains("at waypoint " + namespace + "/reviews-waypoint for every caller"));
        assertThat(refusal(request("own", namespace, "ratings", null))).as("ratings follows its namespace")
                .contains("there is no Gateway " + namespace + "/missing");

        // a service's waypoint in another namespace
        String shared = namespace(Map.of());
        GatewayApiFixtures.waypoint(client(), shared, "shared", Map.of("istio.io/waypoint-for", "all"));
        GatewayApiFixtures.labelService(client(), namespace, "details",
                Map.of("istio.io/use-waypoint", "shared", "istio.io/use-waypoint-namespace", shared));
        assertThat(dataPlanes.of(namespace, "details").waypoint()).isEqualTo(shared + "/shared");

        // opting out of the namespace's waypoint
        String enrolled = namespace(ambientWith("istio.io/use-waypoint", "waypoint"), "virtual-service-all-v1");
        GatewayApiFixtures.waypoint(client(), enrolled, "waypoint", Map.of());
        GatewayApiFixtures.labelService(client(), enrolled, "reviews", Map.of("istio.io/use-waypoint", "none"));
        List<JsonNode> before = virtualServices(enrolled);
        assertThat(refusal(request("optout", enrolled, "reviews", null)))
                .contains("Service " + enrolled + "/reviews has istio.io/use-waypoint=none, which opts it out of its namespace's "
                        + "waypoint waypoint")
                .contains("`kubectl label service -n " + enrolled + " reviews istio.io/use-waypoint-`");
        assertThatThrownBy(() -> injector.apply(request("optout", enrolled, "reviews", null))).isInstanceOf(MeshException.class);
        assertThat(virtualServices(enrolled)).isEqualTo(before);
        assertThat(injector.plan(request("optout", enrolled, "ratings", null)).refusals()).as("the others keep the waypoint").isEmpty();

        String optedOutNamespace = namespace(ambientWith("istio.io/use-waypoint", "none"));
        assertThat(refusal(request("optout", optedOutNamespace, "reviews", null)))
                .contains("Namespace " + optedOutNamespace + " has istio.io/use-waypoint=none");
    }

    @Test
    void callersNamedBySourceAreRefusedWhereAWaypointAppliesTheFault() {
        String namespace = namespace(ambientWith("istio.io/use-waypoint", "waypoint"), "virtual-service-all-v1");
        GatewayApiFixtures.waypoint(client(), namespace, "waypoint", Map.of());
        List<JsonNode> before = virtualServices(namespace);

        FaultRequest byLabels = request("callers", namespace, "reviews", bySource(Map.of("app", "productpage"), null));
        assertThat(refusal(byLabels)).startsWith("spec.target.match.sourceLabels would limit the fault to some callers")
                .contains("waypoint " + namespace + "/waypoint").contains("istio/api#3517")
                .contains("the fault would reach every caller");
        assertThatThrownBy(() -> injector.apply(byLabels)).isInstanceOf(MeshException.class)
                .extracting(e -> ((MeshException) e).reason()).isEqualTo(MeshException.Reason.REFUSED);
        assertThat(refusal(request("callers", namespace, "reviews", bySource(null, "frontend"))))
                .startsWith("spec.target.match.sourceNamespace would limit");
        assertThat(refusal(request("callers", namespace, "reviews", bySource(Map.of("app", "productpage"), "frontend"))))
                .startsWith("spec.target.match.sourceLabels and spec.target.match.sourceNamespace would limit");
        assertThat(virtualServices(namespace)).isEqualTo(before);

        Target.Match byHeader = new Target.Match(Map.of("end-user", Target.StringMatch.exact("jason")), null);
        assertThat(injector.plan(request("callers", namespace, "reviews", byHeader)).refusals()).as("a header match is honoured").isEmpty();
    }

    @Test
    void sidecarNamespacesAreAsBefore() {
        Target.Match callers = bySource(Map.of("app", "productpage"), "bookinfo");
        for (Map<String, String> labels : List.of(Map.<String, String>of(), Map.of("istio-injection", "enabled"),
                Map.of("istio.io/dataplane-mode", "none"))) {
            String namespace = namespace(labels, "virtual-service-all-v1");
            assertThat(dataPlanes.of(namespace, "reviews")).isEqualTo(DataPlane.SIDECAR);
            FaultPlan plan = injector.plan(request("sidecar", namespace, "reviews", callers));
            assertThat(plan.refusals()).as("namespace labels %s", labels).isEmpty();
            assertThat(plan.warnings()).noneMatch(warning -> warning.contains("ambient") || warning.contains("waypoint"));
            CrdSchema.istio().assertValid(plan.after());
        }
        String unlabelled = "ambient-unlisted-" + NAMESPACES.incrementAndGet();
        IstioFixtures.seed(client(), unlabelled, "virtual-service-all-v1");
        assertThat(dataPlanes.of(unlabelled, "reviews")).as("a namespace that cannot be read as an object has no labels")
                .isEqualTo(DataPlane.SIDECAR);
    }

    @Test
    void aServicesDataplaneModeOverridesItsNamespaces() {
        String ambient = namespace(AMBIENT);
        GatewayApiFixtures.labelService(client(), ambient, "reviews", Map.of("istio.io/dataplane-mode", "none"));
        assertThat(dataPlanes.of(ambient, "reviews")).isEqualTo(DataPlane.SIDECAR);
        assertThat(dataPlanes.of(ambient, "ratings").ambient()).isTrue();

        String sidecar = namespace(Map.of());
        GatewayApiFixtures.labelService(client(), sidecar, "reviews", Map.of("istio.io/dataplane-mode", "ambient"));
        assertThat(dataPlanes.of(sidecar, "reviews").ambient()).isTrue();
        assertThat(refusal(request("own-mode", sidecar, "reviews", null))).contains("without a waypoint");
        assertThat(dataPlanes.of(sidecar, "ratings")).isEqualTo(DataPlane.SIDECAR);
    }

    @Test
    void aKubernetesApiThatFailsIsUnavailableAndSaysWhatCouldNotBeRead() {
        String namespace = namespace(ambientWith("istio.io/use-waypoint", "waypoint"), "virtual-service-all-v1");
        server.expect().get().withPath("/api/v1/namespaces/" + namespace).andReturn(500, status(500, "etcdserver: leader changed")).once();
        assertThatThrownBy(() -> injector.plan(request("failing", namespace, "reviews", null))).isInstanceOf(MeshException.class)
                .hasMessageContaining("could not read Namespace " + namespace).hasMessageContaining("answered 500")
                .extracting(e -> ((MeshException) e).reason()).isEqualTo(MeshException.Reason.UNAVAILABLE);

        server.expect().get().withPath("/api/v1/namespaces/" + namespace).andReturn(403, status(403, "forbidden")).once();
        assertThatThrownBy(() -> dataPlanes.of(namespace, "reviews")).isInstanceOf(MeshException.class)
                .hasMessageContaining("answered 403").hasMessageContaining("Faultline needs get on namespaces in namespace " + namespace);

        server.expect().get().withPath("/apis/gateway.networking.k8s.io/v1/namespaces/" + namespace + "/gateways/waypoint")
                .andReturn(403, status(403, "forbidden")).once();
        assertThatThrownBy(() -> dataPlanes.of(namespace, "reviews")).isInstanceOf(MeshException.class)
                .hasMessageContaining("could not read Gateway " + namespace + "/waypoint")
                .hasMessageContaining("Faultline needs get on gateways (gateway.networking.k8s.io) in namespace " + namespace)
                .extracting(e -> ((MeshException) e).reason()).isEqualTo(MeshException.Reason.UNAVAILABLE);
    }

    private static Object status(int code, String reason) {
        return new StatusBuilder().withCode(code).withMessage(reason).withReason(reason).build();
    }
}

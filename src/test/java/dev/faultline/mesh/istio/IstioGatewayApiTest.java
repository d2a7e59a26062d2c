package dev.faultline.mesh.istio;

import static dev.faultline.testing.GatewayApiFixtures.gatewayParent;
import static dev.faultline.testing.GatewayApiFixtures.httpRoute;
import static dev.faultline.testing.GatewayApiFixtures.serviceParent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.experiment.spec.Fault;
import dev.faultline.experiment.spec.Target;
import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.FaultPlan;
import dev.faultline.mesh.FaultRequest;
import dev.faultline.mesh.MeshException;
import dev.faultline.testing.GatewayApiFixtures;
import dev.faultline.testing.IstioFixtures;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Gateway API HTTPRoutes on the mock cluster: a host Istio routes with an HTTPRoute (a GAMMA route with the
 * Service as its parent, or a route naming the host) is refused, naming the route, wherever it lives; a
 * route for another service changes nothing.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class IstioGatewayApiTest {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final String ALL_ROUTES = "/apis/gateway.networking.k8s.io/v1/httproutes";

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    FaultInjector injector;

    private final List<String> namespaces = new ArrayList<>();

    private KubernetesClient client() {
        return server.getClient();
    }

    /** A fresh namespace holding Bookinfo's Services and VirtualServices; its HTTPRoutes are deleted after the test. */
    private String namespace() {
        String namespace = "gamma-" + NAMESPACES.incrementAndGet();
        IstioFixtures.seed(client(), namespace, "virtual-service-all-v1");
        namespaces.add(namespace);
        return namespace;
    }

    @AfterEach
    void deleteRoutes() {
        namespaces.forEach(namespace -> GatewayApiFixtures.deleteHttpRoutes(client(), namespace));
    }

    private static FaultRequest request(String namespace, String service) {
        return new FaultRequest("gamma", new Target("istio", namespace, service, null, null, null), null,
                new Fault.Abort(503, null, 50), Instant.parse("2026-11-24T12:00:00Z"), false);
    }

    private static String refusedFor(String namespace, String route, String because) {
        return "Istio routes reviews." + namespace + ".svc.cluster.local with HTTPRoute " + route + " (Gateway API; its " + because
                + "); a VirtualService for the same host is undefined behaviour, and HTTPRoute has no fault filter in Istio, "
                + "so Faultline does not fault it";
    }

    @Test
    void aRouteWhoseParentIsTheServiceIsRefusedNamingItAndNothingIsWritten() {
        String namespace = namespace();
        httpRoute(client(), namespace, "reviews-v2", List.of(serviceParent(null, "reviews")), List.of(), "reviews-v2");
        List<JsonNode> before = IstioFixtures.virtualServices(client(), namespace);

        FaultPlan plan = injector.plan(request(namespace, "reviews"));
        String refusal = refusedFor(namespace, namespace + "/reviews-v2", "spec.parentRefs[0] is Service " + namespace + "/reviews");
        assertThat(plan.refusals()).containsExactly(refusal);
        assertThat(plan.warnings()).contains(refusal);
        assertThatThrownBy(() -> injector.apply(request(namespace, "reviews"))).isInstanceOf(MeshException.class)
                .hasMessage(refusal)
                .extracting(e -> ((MeshException) e).reason()).isEqualTo(MeshException.Reason.REFUSED);
        assertThat(IstioFixtures.virtualServices(client(), namespace)).isEqualTo(before);

        Map<String, String> core = new LinkedHashMap<>(serviceParent(namespace, "reviews"));
        core.put("group", "core");
        httpRoute(client(), namespace, "reviews-core", List.of(gatewayParent("ingress"), core), List.of(), "reviews");
        assertThat(injector.plan(request(namespace, "reviews")).refusals()).as("one refusal per route").hasSize(2)
                .contains(refusedFor(namespace, namespace + "/reviews-core", "spec.parentRefs[1] is Service " + namespace + "/reviews"));
    }

    @Test
    void aRouteNamingTheHostIsRefusedInEveryFormOfTheName() {
        String namespace = namespace();
        String other = namespace();
        List<String> forms = List.of("reviews", "reviews." + namespace, "reviews." + namespace + ".svc",
                "reviews." + namespace + ".svc.cluster.local", "*." + namespace + ".svc.cluster.local", "*." + namespace + ".svc");
        for (int i = 0; i < forms.size(); i++) {
            httpRoute(client(), namespace, "by-host-" + i, List.of(gatewayParent("ingress")), List.of(forms.get(i)), "reviews");
        }
        List<String> refusals = injector.plan(request(namespace, "reviews")).refusals();
        assertThat(refusals).hasSize(forms.size());
        for (int i = 0; i < forms.size(); i++) {
            assertThat(refusals).contains(refusedFor(namespace, namespace + "/by-host-" + i, "spec.hostnames has " + forms.get(i)));
        }
        assertThat(injector.plan(request(other, "reviews")).refusals()).as("reviews of another namespace is another host").isEmpty();
    }

    @Test
    void aConsumerRouteInTheCallersNamespaceIsRefusedToo() {
        String namespace = namespace();
        String callers = namespace();
        httpRoute(client(), callers, "reviews-for-us", List.of(serviceParent(namespace, "reviews")), List.of(), "reviews");
        httpRoute(client(), callers, "named-here", List.of(gatewayParent("ingress")), List.of("reviews." + namespace), "reviews");

        assertThat(injector.plan(request(namespace, "reviews")).refusals()).containsExactlyInAnyOrder(
                refusedFor(namespace, callers + "/reviews-for-us", "spec.parentRefs[0] is Service " + namespace + "/reviews"),
                refusedFor(namespace, callers + "/named-here", "spec.hostnames has reviews." + namespace));
        assertThat(injector.plan(request(callers, "reviews")).refusals()).as("the callers' own reviews is not routed by them")
                .isEmpty();
    }

    @Test
    void routesForOtherServicesChangeNothing() {
        String namespace = namespace();
        httpRoute(client(), namespace, "ratings", List.of(serviceParent(null, "ratings")), List.of("ratings"), "ratings");
        httpRoute(client(), namespace, "ingress-reviews", List.of(gatewayParent("reviews")), List.of("bookinfo.example.com"), "reviews");
        httpRoute(client(), namespace, "wildcard-elsewhere", List.of(gatewayParent("ingress")), List.of("*.example.com"), "reviews");
        Map<String, String> notCore = new LinkedHashMap<>(serviceParent(null, "reviews"));
        notCore.put("group", "networking.istio.io");
        notCore.put("kind", "ServiceEntry");
        httpRoute(client(), namespace, "service-entry", List.of(notCore), List.of(), "reviews");

        FaultPlan plan = injector.plan(request(namespace, "reviews"));
        assertThat(plan.refusals()).isEmpty();
        assertThat(plan.warnings()).noneMatch(warning -> warning.contains("HTTPRoute"));
        assertThat(injector.plan(request(namespace, "ratings")).refusals()).singleElement().asString()
                .contains("HTTPRoute " + namespace + "/ratings").contains("spec.parentRefs[0] is Service " + namespace + "/ratings")
                .contains("spec.hostnames has ratings");
    }

    @Test
    void withoutLeaveToListEveryNamespaceTheTargetsNamespaceIsCheckedAndTheRestIsWarnedAbout() {
        String namespace = namespace();
        httpRoute(client(), namespace, "reviews-v2", List.of(serviceParent(null, "reviews")), List.of(), "reviews");
        server.expect().get().withPath(ALL_ROUTES).andReturn(403, status(403, "httproutes is forbidden")).once();

        FaultPlan plan = injector.plan(request(namespace, "reviews"));

        assertThat(plan.refusals()).singleElement().asString().contains("HTTPRoute " + namespace + "/reviews-v2");
        assertThat(plan.warnings()).anyMatch(warning -> warning.contains("Faultline may not list HTTPRoutes in every namespace")
                && warning.contains("checked only namespace " + namespace) && warning.contains("could not be checked"));
    }

    @Test
    void withoutTheGatewayApiThereAreNoRoutesAndAFailingApiIsUnavailable() {
        String namespace = namespace();
        server.expect().get().withPath(ALL_ROUTES).andReturn(404, status(404, "the server could not find the requested resource")).once();
        FaultPlan plan = injector.plan(request(namespace, "reviews"));
        assertThat(plan.refusals()).isEmpty();
        assertThat(plan.warnings()).noneMatch(warning -> warning.contains("HTTPRoute"));

        server.expect().get().withPath(ALL_ROUTES).andReturn(500, status(500, "etcdserver: leader changed")).once();
        assertThatThrownBy(() -> injector.plan(request(namespace, "reviews"))).isInstanceOf(MeshException.class)
                .hasMessageContaining("could not list HTTPRoutes in every namespace").hasMessageContaining("answered 500")
                .extracting(e -> ((MeshException) e).reason()).isEqualTo(MeshException.Reason.UNAVAILABLE);
    }

    @Test
    void hostnamesMatchAsIstioReadsThem() {
        RoutePlanner.Host reviews = new RoutePlanner.Host("reviews", "bookinfo");
        assertThat(MeshChecks.matches("reviews", reviews, "bookinfo")).isTrue();
        assertThat(MeshChecks.matches("reviews", reviews, "shop")).as("a short name means the route's namespace").isFalse();
        assertThat(MeshChecks.matches("reviews.bookinfo", reviews, "shop")).isTrue();
        assertThat(MeshChecks.matches("*.bookinfo.svc.cluster.local", reviews, "shop")).isTrue();
        assertThat(MeshChecks.matches("*.svc.cluster.local", reviews, "shop")).isTrue();
        assertThat(MeshChecks.matches("*.shop.svc.cluster.local", reviews, "shop")).isFalse();
        assertThat(MeshChecks.matches("*.ookinfo.svc.cluster.local", reviews, "shop")).as("a wildcard stands for whole labels").isFalse();
        assertThat(MeshChecks.matches("ratings.bookinfo.svc.cluster.local", reviews, "bookinfo")).isFalse();
    }

    private static Object status(int code, String reason) {
        return new StatusBuilder().withCode(code).withMessage(reason).withReason(reason).build();
    }
}

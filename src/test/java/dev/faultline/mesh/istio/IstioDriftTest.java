package dev.faultline.mesh.istio;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.experiment.spec.Fault;
import dev.faultline.experiment.spec.Target;
import dev.faultline.mesh.Drift;
import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.FaultInjector.RuleWatch;
import dev.faultline.mesh.FaultRequest;
import dev.faultline.mesh.RuleRef;
import dev.faultline.testing.IstioFixtures;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** Someone else taking a live rule out (kubectl edit, kubectl delete, a GitOps sync) while Faultline watches it. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class IstioDriftTest {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final Duration SEEN_WITHIN = Duration.ofSeconds(2);
    /** How long to wait for a drift that must not come. */
    private static final Duration QUIET = Duration.ofMillis(800);

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    FaultInjector injector;

    private final BlockingQueue<Drift> drifts = new LinkedBlockingQueue<>();

    private KubernetesClient client() {
        return server.getClient();
    }

    private String namespace(String... samples) {
        String namespace = "drift-" + NAMESPACES.incrementAndGet();
        IstioFixtures.seed(client(), namespace, samples);
        return namespace;
    }

    private RuleRef apply(String run, String namespace, String service) {
        return injector.apply(new FaultRequest(run, new Target("istio", namespace, service, null, null, null),
                new Fault.Delay(Duration.ofSeconds(1), 50), new Fault.Abort(503, null, 10), Instant.parse("2026-11-24T12:00:00Z"), false));
    }

    private Drift nextDrift() throws InterruptedException {
        return drifts.poll(SEEN_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void assertNoMoreDrift() throws InterruptedException {
        assertThat(drifts.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aRouteRemovedByEditingTheVirtualServiceIsReportedOnce() throws InterruptedException {
        String namespace = namespace("virtual-service-all-v1");
        RuleRef rule = apply("edited", namespace, "reviews");
        try (RuleWatch watch = injector.watch(rule, drifts::add)) {
            assertNoMoreDrift();
            edit(namespace, "reviews", vs -> ((ArrayNode) vs.path("spec").path("http")).remove(0));

            Drift drift = nextDrift();
            assertThat(drift).isNotNull();
            assertThat(drift.rule()).isEqualTo(rule);
            assertThat(drift.at()).isNotNull();
            assertThat(drift.change()).isEqualTo("route faultline-edited was removed from VirtualService " + namespace + "/reviews");
            edit(namespace, "reviews", vs -> ((ObjectNode) vs.path("spec").path("http").get(0)).put("timeout", "2s"));
            assertNoMoreDrift();
        }
    }

    @Test
    void aDeletedDedicatedVirtualServiceIsReportedOnce() throws InterruptedException {
        String namespace = namespace();
        RuleRef rule = apply("deleted", namespace, "details");
        try (RuleWatch watch = injector.watch(rule, drifts::add)) {
            client().genericKubernetesResources(IstioFixtures.VIRTUAL_SERVICES).inNamespace(namespace).withName("faultline-deleted")
                    .delete();

            Drift drift = nextDrift();
            assertThat(drift).isNotNull();
            assertThat(drift.change()).isEqualTo("VirtualService " + namespace + "/faultline-deleted was deleted");
            assertNoMoreDrift();
        }
    }

    @Test
    void faultlinesOwnRampIsNotDriftButTakingTheFaultAwayIs() throws InterruptedException {
        String namespace = namespace("virtual-service-all-v1");
        RuleRef rule = apply("ramped", namespace, "ratings");
        try (RuleWatch watch = injector.watch(rule, drifts::add)) {
            injector.adjust(rule, 5.0, 1.0);
            injector.adjust(rule, 20.0, 2.0);
            assertNoMoreDrift();

            edit(namespace, "ratings", vs -> ((ObjectNode) vs.path("spec").path("http").get(0)).remove("fault"));
            Drift drift = nextDrift();
            assertThat(drift).isNotNull();
            assertThat(drift.change()).isEqualTo("the fault of route faultline-ramped was removed from VirtualService " + namespace + "/ratings");
        }
    }

    @Test
    void faultlinesOwnRemovalIsNotDrift() throws InterruptedException {
        String namespace = namespace("virtual-service-all-v1");
        RuleRef rule = apply("removed", namespace, "productpage");
        RuleRef dedicated = apply("halted", namespace(), "details");
        try (RuleWatch watch = injector.watch(rule, drifts::add); RuleWatch other = injector.watch(dedicated, drifts::add)) {
            injector.remove(rule);
            injector.removeAll(dedicated.namespace());
            assertNoMoreDrift();
        }
    }

    @Test
    void afterCloseNothingIsReported() throws InterruptedException {
        String namespace = namespace("virtual-service-all-v1");
        RuleRef rule = apply("closed", namespace, "reviews");
        RuleWatch watch = injector.watch(rule, drifts::add);

        long started = System.nanoTime();
        watch.close();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        edit(namespace, "reviews", vs -> ((ArrayNode) vs.path("spec").path("http")).remove(0));
        assertNoMoreDrift();
        watch.close();
    }

    @Test
    void aRuleAlreadyGoneWhenTheWatchStartsIsReportedAtOnceAndAFailingListenerIsContained() throws InterruptedException {
        String namespace = namespace("virtual-service-all-v1");
        RuleRef rule = apply("gone", namespace, "details");
        edit(namespace, "details", vs -> ((ArrayNode) vs.path("spec").path("http")).remove(0));

        try (RuleWatch watch = injector.watch(rule, drift -> {
            drifts.add(drift);
            throw new IllegalStateException("listener broke");
        })) {
            Drift drift = nextDrift();
            assertThat(drift).isNotNull();
            assertThat(drift.change()).contains("route faultline-gone was removed");
            assertNoMoreDrift();
        }
    }

    @Test
    void aWatchThatBreaksIsOpenedAgainAndCatchesUpOnWhatItMissed() throws InterruptedException {
        String namespace = namespace("virtual-service-all-v1");
        RuleRef rule = apply("broken", namespace, "reviews");
        // The first watch sees nothing and then expires (410 Gone), as a real watch does after a long outage.
        server.expect().get().withPath("/apis/networking.istio.io/v1/namespaces/" + namespace
                + "/virtualservices?allowWatchBookmarks=true&fieldSelector=metadata.name%3Dreviews&watch=true")
                .andUpgradeToWebSocket().open().waitFor(600).andEmit(new WatchEvent(new StatusBuilder().withCode(410)
                        .withReason("Expired").withMessage("too old resource version").build(), "ERROR"))
                .done().once();

        try (RuleWatch watch = injector.watch(rule, drifts::add)) {
            edit(namespace, "reviews", vs -> ((ArrayNode) vs.path("spec").path("http")).remove(0));

            Drift drift = nextDrift();
            assertThat(drift).isNotNull();
            assertThat(drift.change()).isEqualTo("route faultline-broken was removed from VirtualService " + namespace + "/reviews");
            assertNoMoreDrift();
        }
    }

    /** Reads, changes and writes back the whole VirtualService, as {@code kubectl edit} does. */
    private void edit(String namespace, String name, Consumer<ObjectNode> change) {
        ObjectNode vs = (ObjectNode) IstioFixtures.virtualService(client(), namespace, name);
        change.accept(vs);
        client().genericKubernetesResources(IstioFixtures.VIRTUAL_SERVICES).inNamespace(namespace)
                .resource(client().getKubernetesSerialization().convertValue(vs, GenericKubernetesResource.class)).update();
    }
}

package dev.faultline.mesh.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.experiment.spec.Fault;
import dev.faultline.experiment.spec.Target;
import dev.faultline.mesh.DataPlanes;
import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.FaultInjector.Removal;
import dev.faultline.mesh.FaultRequest;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.RuleRef;
import dev.faultline.testing.CrdSchema;
import dev.faultline.testing.IstioFixtures;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** The Kubernetes API answering 409, 500 or nothing at all, while Faultline applies and removes rules. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class IstioFailuresTest {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    FaultInjector injector;
    /** Faultline's client, configured as in production: no retries of its own. */
    @Inject
    KubernetesClient client;
    @Inject
    DataPlanes dataPlanes;

    private String namespace() {
        String namespace = "failing-" + NAMESPACES.incrementAndGet();
        IstioFixtures.seed(server.getClient(), namespace, "virtual-service-all-v1");
        return namespace;
    }

    private static FaultRequest request(String run, String namespace) {
        return new FaultRequest(run, new Target("istio", namespace, "reviews", null, null, null),
                new Fault.Delay(Duration.ofSeconds(1), 100), null, Instant.parse("2026-11-24T12:00:00Z"), false);
    }

    private static String path(String namespace) {
        return "/apis/networking.istio.io/v1/namespaces/" + namespace + "/virtualservices/reviews";
    }

    private static Object status(int code, String reason) {
        return new StatusBuilder().withCode(code).withMessage(reason).withReason(reason).build();
    }

    private JsonNode reviews(String namespace) {
        return IstioFixtures.virtualService(server.getClient(), namespace, "reviews");
    }

    @Test
    void aConflictDuringApplyIsRetriedOnAFreshRead() {
        String namespace = namespace();
        server.expect().put().withPath(path(namespace)).andReturn(409, status(409, "Conflict")).times(2);

        RuleRef rule = injector.apply(request("conflicted", namespace));

        JsonNode written = reviews(namespace);
        CrdSchema.istio().assertValid(written);
        assertThat(written.path("spec").path("http")).hasSize(2);
        assertThat(rule.route()).isEqualTo("faultline-conflicted");
    }

    @Test
    void theFenceIsAskedAgainBeforeTheWriteThatFollowsAConflict() {
        String namespace = namespace();
        JsonNode original = reviews(namespace);
        server.expect().put().withPath(path(namespace)).andReturn(409, status(409, "Conflict")).once();
        AtomicInteger asked = new AtomicInteger();
        MeshException lost = new MeshException(MeshException.Reason.REFUSED, "another instance took the run over");

        assertThatThrownBy(() -> injector.apply(request("fenced", namespace), () -> {
            if (asked.incrementAndGet() > 1) {
                throw lost;
            }
        })).isSameAs(lost);
        assertThat(asked).hasValue(2);
        assertThat(reviews(namespace)).isEqualTo(original);
    }

    @Test
    void aConflictDuringRemovalIsRetriedAndTheOriginalComesBack() {
        String namespace = namespace();
        JsonNode original = reviews(namespace);
        RuleRef rule = injector.apply(request("conflicted-removal", namespace));
        server.expect().put().withPath(path(namespace)).andReturn(409, status(409, "Conflict")).once();

        assertThat(injector.remove(rule)).isEqualTo(Removal.REMOVED);
        assertThat(reviews(namespace).path("spec")).isEqualTo(original.path("spec"));
    }

    @Test
    void aConflictDuringTheKillSwitchFallsBackToAFreshReadAndKeepsTheOtherChange() {
        String namespace = namespace();
        JsonNode original = reviews(namespace);
        injector.apply(request("halted", namespace));
        server.expect().put().withPath(path(namespace)).andReturn(409, status(409, "Conflict")).once();

        FaultInjector.BulkRemoval bulk = injector.removeAll(namespace);

        assertThat(bulk.problems()).isEmpty();
        assertThat(bulk.removed()).extracting(removed -> removed.rule().route()).containsExactly("faultline-halted");
        assertThat(reviews(namespace).path("spec")).isEqualTo(original.path("spec"));
    }

    @Test
    void aResourceTheKillSwitchCannotChangeIsReportedAsAProblem() {
        String namespace = namespace();
        injector.apply(request("stuck", namespace));
        server.expect().put().withPath(path(namespace)).andReturn(500, status(500, "etcdserver: leader changed")).always();

        IstioFaultInjector impatient = new IstioFaultInjector(client, Clock.systemUTC(), () -> Duration.ofSeconds(1), dataPlanes);

        FaultInjector.BulkRemoval bulk = impatient.removeAll(namespace);

        assertThat(bulk.removed()).isEmpty();
        assertThat(bulk.problems()).singleElement().asString().contains("faultline-stuck").contains("answered 500");
        assertThat(impatient.owned(namespace)).as("still there for the reconciler to find").hasSize(1);
    }

    @Test
    void anApiServerErrorDuringApplyIsReportedAndNothingIsWritten() {
        String namespace = namespace();
        JsonNode original = reviews(namespace);
        server.expect().put().withPath(path(namespace)).andReturn(500, status(500, "etcdserver: leader changed")).once();

        assertThatThrownBy(() -> injector.apply(request("broken", namespace)))
                .isInstanceOf(MeshException.class)
                .hasMessageContaining("answered 500")
                .extracting(e -> ((MeshException) e).reason()).isEqualTo(MeshException.Reason.UNAVAILABLE);
        assertThat(reviews(namespace)).isEqualTo(original);
    }

    @Test
    void anApiServerThatDoesNotAnswerFailsTheApplyInTime() {
        String namespace = namespace();
        server.expect().put().delay(6, TimeUnit.SECONDS).withPath(path(namespace)).andReturn(200, "{}").once();

        long started = System.nanoTime();
        assertThatThrownBy(() -> injector.apply(request("silent", namespace)))
                .isInstanceOf(MeshException.class)
                .hasMessageContaining("did not answer");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void removalKeepsTryingThroughServerErrorsUntilItSucceeds() {
        String namespace = namespace();
        JsonNode original = reviews(namespace);
        RuleRef rule = injector.apply(request("persistent", namespace));
        server.expect().put().withPath(path(namespace)).andReturn(500, status(500, "Internal error")).times(3);

        assertThat(injector.remove(rule)).isEqualTo(Removal.REMOVED);
        assertThat(reviews(namespace).path("spec")).isEqualTo(original.path("spec"));
    }

    @Test
    void removalThatCannotSucceedInTimeSaysSoSoTheRunCanBeMarkedForCleanup() {
        String namespace = namespace();
        RuleRef rule = injector.apply(request("stuck", namespace));
        server.expect().put().withPath(path(namespace)).andReturn(503, status(503, "Service unavailable")).always();
        IstioFaultInjector impatient = new IstioFaultInjector(client, Clock.systemUTC(), () -> Duration.ofSeconds(1), dataPlanes);

        long started = System.nanoTime();
        assertThatThrownBy(() -> impatient.remove(rule))
                .isInstanceOf(MeshException.class)
                .hasMessageContaining("could not remove rule faultline-stuck")
                .hasMessageContaining("503");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(700), Duration.ofSeconds(3));
        assertThat(reviews(namespace).path("spec").path("http").get(0).path("name").asText()).isEqualTo("faultline-stuck");
    }
}

package dev.faultline.run;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.faultline.metrics.Check;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** Kubernetes probes against the mock API server. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class DeploymentProbeTest {

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    DeploymentProbe probe;

    private void deployment(String name, int desired, Integer ready) {
        server.getClient().apps().deployments().inNamespace("probes").resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace("probes").endMetadata()
                .withNewSpec().withReplicas(desired).endSpec()
                .withNewStatus().withReadyReplicas(ready).withReplicas(desired).endStatus()
                .build()).create();
    }

    @Test
    void allDesiredReplicasReadyPasses() {
        deployment("reviews-v1", 3, 3);
        Check check = probe.check("probes", "reviews-v1");
        assertThat(check.passed()).as(check.reason()).isTrue();
        assertThat(check.value()).isEqualTo(3.0);
    }

    @Test
    void missingReplicasFailWithTheCount() {
        deployment("ratings-v1", 3, 1);
        deployment("details-v1", 2, null);
        assertThat(probe.check("probes", "ratings-v1").reason()).isEqualTo("Deployment probes/ratings-v1 has 1 of 3 replicas ready");
        assertThat(probe.check("probes", "details-v1").reason()).contains("has 0 of 2 replicas ready");
    }

    @Test
    void aMissingDeploymentFails() {
        Check check = probe.check("probes", "inventory");
        assertThat(check.passed()).isFalse();
        assertThat(check.reason()).isEqualTo("there is no Deployment inventory in namespace probes");
    }
}

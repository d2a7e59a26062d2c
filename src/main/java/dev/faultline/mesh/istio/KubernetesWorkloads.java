package dev.faultline.mesh.istio;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.Workloads;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** Deployments read from the Kubernetes API; a Deployment without a replica count wants one. */
@ApplicationScoped
class KubernetesWorkloads implements Workloads {

    private final KubernetesClient client;

    KubernetesWorkloads(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public Optional<Replicas> replicas(String namespace, String name) {
        Deployment deployment;
        try {
            deployment = client.apps().deployments().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw new MeshException(MeshException.Reason.UNAVAILABLE, "could not read Deployment " + namespace + "/" + name + ": "
                    + (e.getCode() > 0 ? "the Kubernetes API answered " + e.getCode() : "the Kubernetes API did not answer"), e);
        }
        if (deployment == null) {
            return Optional.empty();
        }
        int desired = deployment.getSpec() == null || deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
        int ready = deployment.getStatus() == null || deployment.getStatus().getReadyReplicas() == null ? 0
                : deployment.getStatus().getReadyReplicas();
        return Optional.of(new Replicas(ready, desired));
    }
}

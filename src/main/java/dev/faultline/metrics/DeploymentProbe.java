package dev.faultline.metrics;

import jakarta.enterprise.context.ApplicationScoped;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** A Deployment's ready replicas against its desired count. The check's value is the number of ready replicas. */
@ApplicationScoped
public class DeploymentProbe {

    private final KubernetesClient client;

    DeploymentProbe(KubernetesClient client) {
        this.client = client;
    }

    public Check check(String namespace, String name) {
        Deployment deployment;
        try {
            deployment = client.apps().deployments().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            return Check.failed(null, "could not read Deployment " + namespace + "/" + name + ": "
                    + (e.getCode() > 0 ? "the Kubernetes API answered " + e.getCode() : "the Kubernetes API did not answer"));
        }
        if (deployment == null) {
            return Check.failed(null, "there is no Deployment " + name + " in namespace " + namespace);
        }
        int desired = deployment.getSpec() == null || deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
        int ready = deployment.getStatus() == null || deployment.getStatus().getReadyReplicas() == null ? 0
                : deployment.getStatus().getReadyReplicas();
        return ready >= desired
                ? Check.passed(ready)
                : Check.failed((double) ready, "Deployment " + namespace + "/" + name + " has " + ready + " of " + desired
                        + " replicas ready");
    }
}

package dev.faultline.run;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.Workloads;
import dev.faultline.metrics.Check;

/** A Deployment's ready replicas against its desired count. The check's value is the number of ready replicas. */
@ApplicationScoped
class DeploymentProbe {

    private final Workloads workloads;

    DeploymentProbe(Workloads workloads) {
        this.workloads = workloads;
    }

    Check check(String namespace, String name) {
        Optional<Workloads.Replicas> replicas;
        try {
            replicas = workloads.replicas(namespace, name);
        } catch (MeshException e) {
            return Check.failed(null, e.getMessage());
        }
        if (replicas.isEmpty()) {
            return Check.failed(null, "there is no Deployment " + name + " in namespace " + namespace);
        }
        int ready = replicas.get().ready();
        int desired = replicas.get().desired();
        return ready >= desired
                ? Check.passed(ready)
                : Check.failed((double) ready, "Deployment " + namespace + "/" + name + " has " + ready + " of " + desired
                        + " replicas ready");
    }
}

package dev.faultline.mesh;

import java.util.Optional;

/** What Faultline reads of the workloads behind a service: how many replicas of a Deployment are ready. */
public interface Workloads {

    /** Ready against desired replicas of a Deployment. */
    record Replicas(int ready, int desired) {
    }

    /**
     * The replicas of Deployment {@code name}; empty when there is none. Fails with {@link
     * MeshException.Reason#UNAVAILABLE} when the Kubernetes API cannot be read, its message saying why.
     */
    Optional<Replicas> replicas(String namespace, String name);
}

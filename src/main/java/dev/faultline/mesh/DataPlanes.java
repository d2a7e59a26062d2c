package dev.faultline.mesh;

/** Reads, from the cluster, how the mesh carries a service's traffic. */
public interface DataPlanes {

    /**
     * The data plane of Service {@code service} in {@code namespace}, from the labels of the namespace and
     * the service and the waypoint Gateway they name. Fails with {@link MeshException.Reason#UNAVAILABLE}
     * when the Kubernetes API cannot be read.
     */
    DataPlane of(String namespace, String service);
}

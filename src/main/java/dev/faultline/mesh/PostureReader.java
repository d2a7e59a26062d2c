package dev.faultline.mesh;

/** Reads a namespace's resilience posture from the mesh's configuration. */
public interface PostureReader {

    /**
     * The posture of every Service of {@code namespace}. Fails with {@link MeshException.Reason#UNAVAILABLE}
     * when the Kubernetes API cannot be read, its message saying what could not be read and why.
     */
    Posture read(String namespace);
}

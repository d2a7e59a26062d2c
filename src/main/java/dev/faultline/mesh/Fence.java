package dev.faultline.mesh;

/**
 * Asked before every write that adds or changes a fault (never before a removal): throws a
 * {@link MeshException} with {@link MeshException.Reason#REFUSED} when the writer may no longer act
 * for its run, for example because another instance took the run over.
 */
@FunctionalInterface
public interface Fence {

    Fence NONE = () -> {
    };

    void check();
}

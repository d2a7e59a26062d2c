package dev.faultline.mesh;

import dev.faultline.Failure;

/** Why a fault rule could not be planned, written or removed; the message is meant for the user. */
public class MeshException extends RuntimeException implements Failure.Known {

    private final Reason reason;

    public enum Reason {
        /** The target does not resolve to exactly one route: nothing serves it, or several things do. */
        TARGET_UNRESOLVED,
        /** Another live Faultline rule is in the way, or the user has not consented to a wider blast radius. */
        REFUSED,
        /** The Kubernetes API failed or did not answer in time. */
        UNAVAILABLE
    }

    public MeshException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public MeshException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public Failure failure() {
        return switch (reason) {
            case TARGET_UNRESOLVED -> Failure.TARGET_UNRESOLVED;
            case REFUSED -> Failure.MESH_REFUSED;
            case UNAVAILABLE -> Failure.CLUSTER_UNAVAILABLE;
        };
    }
}

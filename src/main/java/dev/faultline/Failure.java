package dev.faultline;

/**
 * What kind of failure an exception is, for everyone who answers for it: the API's problem type and
 * status, the message a browser user sees, the outcome an audit entry records. Domain exceptions say
 * their kind themselves ({@link Known}), so no door keeps a table of its own.
 */
public enum Failure {
    INVALID_DOCUMENT(400, "invalid-document", "Invalid document"),
    NOT_FOUND(404, "not-found", "Not found"),
    CONFLICT(409, "conflict", "Conflict"),
    POLICY_DENIED(403, "policy-denied", "Forbidden by policy"),
    FORBIDDEN(403, "forbidden", "Forbidden"),
    TARGET_UNRESOLVED(422, "target-unresolved", "Target does not resolve"),
    MESH_REFUSED(409, "mesh-refused", "Refused by the mesh rules"),
    CLUSTER_UNAVAILABLE(503, "cluster-unavailable", "Cluster unavailable"),
    DATABASE_UNAVAILABLE(503, "database-unavailable", "Database unavailable"),
    METRICS_UNAVAILABLE(503, "metrics-unavailable", "Metrics unavailable"),
    SIGN_IN_THROTTLED(429, "too-many-sign-ins", "Too many failed sign-ins"),
    UNEXPECTED(500, "internal-error", "Internal error");

    /** An exception that knows its kind. */
    public interface Known {
        Failure failure();
    }

    private final int status;
    private final String type;
    private final String title;

    Failure(int status, String type, String title) {
        this.status = status;
        this.type = type;
        this.title = title;
    }

    public int status() {
        return status;
    }

    /** The last segment of the problem type URI. */
    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    /** The kind of {@code failure}: its own when it knows it, a refused role, a database that does not answer, or unexpected. */
    public static Failure of(Throwable failure) {
        if (failure instanceof Known known) {
            return known.failure();
        }
        if (failure instanceof io.quarkus.security.ForbiddenException) {
            return FORBIDDEN;
        }
        return DatabaseUnavailableException.isCause(failure) ? DATABASE_UNAVAILABLE : UNEXPECTED;
    }
}

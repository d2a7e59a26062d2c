package dev.faultline;

/** The request clashes with the current state, such as creating what already exists (409 at the API). */
public class ResourceConflictException extends RuntimeException implements Failure.Known {
    public ResourceConflictException(String message) {
        super(message);
    }

    @Override
    public Failure failure() {
        return Failure.CONFLICT;
    }
}

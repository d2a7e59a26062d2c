package dev.faultline;

/** The thing asked for does not exist (404 at the API). */
public class ResourceNotFoundException extends RuntimeException implements Failure.Known {
    public ResourceNotFoundException(String message) {
        super(message);
    }

    @Override
    public Failure failure() {
        return Failure.NOT_FOUND;
    }
}

package dev.faultline;

/** The thing asked for does not exist (404 at the API). */
public class ResourceNotFoundException extends RuntimeException {
    public ResourceNotFoundException(String message) {
        super(message);
    }
}

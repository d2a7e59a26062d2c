package dev.faultline;

/** The caller is signed in but policy forbids this action (403 at the API). */
public class PolicyDeniedException extends RuntimeException {
    public PolicyDeniedException(String message) {
        super(message);
    }
}

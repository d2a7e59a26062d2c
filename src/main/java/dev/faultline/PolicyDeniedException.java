package dev.faultline;

/** The caller is signed in but policy forbids this action (403 at the API). */
public class PolicyDeniedException extends RuntimeException implements Failure.Known {
    public PolicyDeniedException(String message) {
        super(message);
    }

    @Override
    public Failure failure() {
        return Failure.POLICY_DENIED;
    }
}

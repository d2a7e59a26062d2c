package dev.faultline.security;

import java.time.Duration;
import java.util.Optional;

import dev.faultline.Failure;

/**
 * A password sign-in refused without its password being checked: the name or the address it came
 * from has failed too often and must wait. It knows the door it came through, since the API answers
 * it with 429 and {@code Retry-After} while the browser's form sends the visitor back to the sign-in
 * page with the wait. It carries no stack trace: a flood of guesses makes many of them.
 */
public class SignInThrottledException extends RuntimeException implements Failure.Known {

    private final long retryAfterSeconds;
    private final Caller.Via via;

    SignInThrottledException(Duration wait, Caller.Via via) {
        this(seconds(wait), via);
    }

    private SignInThrottledException(long retryAfterSeconds, Caller.Via via) {
        super(message(retryAfterSeconds), null, false, false);
        this.retryAfterSeconds = retryAfterSeconds;
        this.via = via;
    }

    /** What the refused person is told, for a wait of {@code seconds}. */
    public static String message(long seconds) {
        return "Too many failed sign-ins for this name or address; try again in " + seconds + " s";
    }

    /** The refusal of a sign-in through {@code via} that {@code failure} is (or was caused by), if it is one. */
    public static Optional<SignInThrottledException> in(Throwable failure, Caller.Via via) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SignInThrottledException refused) {
                return refused.via == via ? Optional.of(refused) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Whole seconds to wait, rounded up: never 0, which would invite an immediate retry. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public Caller.Via via() {
        return via;
    }

    @Override
    public Failure failure() {
        return Failure.SIGN_IN_THROTTLED;
    }

    private static long seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }
}

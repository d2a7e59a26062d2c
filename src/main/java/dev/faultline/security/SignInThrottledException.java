package dev.faultline.security;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BiConsumer;

import dev.faultline.Failure;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

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

    /**
     * Has {@code answer} answer the refused sign-ins through {@code via}. They are refused while Quarkus
     * authenticates, before any resource or view sees the request, and arrive at the router's failure
     * handlers; every other failure goes on to the next one.
     */
    public static void answer(Router router, Caller.Via via, BiConsumer<RoutingContext, SignInThrottledException> answer) {
        router.route().order(RouteConstants.ROUTE_ORDER_HEADERS).failureHandler(context -> {
            Optional<SignInThrottledException> refused = in(context.failure(), via);
            if (refused.isEmpty() || context.response().ended()) {
                context.next();
            } else {
                answer.accept(context, refused.get());
            }
        });
    }

    private static Optional<SignInThrottledException> in(Throwable failure, Caller.Via via) {
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

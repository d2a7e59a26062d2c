package dev.faultline.ui;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.faultline.security.Caller;
import dev.faultline.security.SignInThrottledException;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Sends a sign-in through the browser's form that must wait (too many failures for the name or the
 * address) back to the sign-in page, which says how long ({@link LoginView}). The refusal happens
 * while Quarkus authenticates the form's post, before any view, so it is answered here, where such
 * failures arrive.
 */
@ApplicationScoped
class ThrottledSignInRedirect {

    void install(@Observes Router router) {
        router.route().order(RouteConstants.ROUTE_ORDER_HEADERS).failureHandler(this::redirect);
    }

    private void redirect(RoutingContext context) {
        var refused = SignInThrottledException.in(context.failure(), Caller.Via.UI);
        if (refused.isEmpty() || context.response().ended()) {
            context.next();
            return;
        }
        context.response().setStatusCode(302)
                .putHeader(HttpHeaders.LOCATION, LoginView.throttledLocation(refused.get().retryAfterSeconds()))
                .putHeader(HttpHeaders.RETRY_AFTER, Long.toString(refused.get().retryAfterSeconds()))
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end();
    }
}

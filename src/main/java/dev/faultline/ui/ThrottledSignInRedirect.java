package dev.faultline.ui;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.faultline.security.Caller;
import dev.faultline.security.SignInThrottledException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Sends a sign-in through the browser's form that must wait (too many failures for the name or the
 * address) back to the sign-in page, which says how long ({@link LoginView}). The refusal happens
 * while Quarkus authenticates the form's post, before any view, so it is answered here, among the
 * router's failure handlers.
 */
@ApplicationScoped
class ThrottledSignInRedirect {

    void install(@Observes Router router) {
        SignInThrottledException.answer(router, Caller.Via.UI, ThrottledSignInRedirect::redirect);
    }

    private static void redirect(RoutingContext context, SignInThrottledException refused) {
        context.response().setStatusCode(302)
                .putHeader(HttpHeaders.LOCATION, LoginView.throttledLocation(refused.retryAfterSeconds()))
                .putHeader(HttpHeaders.RETRY_AFTER, Long.toString(refused.retryAfterSeconds()))
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end();
    }
}

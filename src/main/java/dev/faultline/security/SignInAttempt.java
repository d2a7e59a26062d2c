package dev.faultline.security;

import io.quarkus.vertx.http.runtime.security.FormAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.vertx.ext.web.RoutingContext;

/**
 * One password sign-in as it arrived: the name tried, the address it came from, the door (the
 * browser's sign-in form is {@code ui}, HTTP Basic is {@code api}) and the request that carried it.
 * Never the password.
 */
record SignInAttempt(String name, String address, Caller.Via via, String method, String path) {

    /** The name as the audit log keeps it: one that cannot be a user name may be a password typed in the wrong field. */
    String recordedName() {
        return name != null && UserService.USERNAME.matcher(name).matches() ? name : "(not a user name)";
    }

    /** The attempt {@code request} carries; without a request (no HTTP), an API one from nowhere. */
    static SignInAttempt of(String name, RoutingContext request) {
        if (request == null) {
            return new SignInAttempt(name, null, Caller.Via.API, null, null);
        }
        // The form mechanism names itself in the request it handles before it checks the password.
        boolean form = request.get(HttpAuthenticationMechanism.class.getName()) instanceof FormAuthenticationMechanism;
        String address = request.request().remoteAddress() == null ? null : request.request().remoteAddress().hostAddress();
        return new SignInAttempt(name, address, form ? Caller.Via.UI : Caller.Via.API, request.request().method().name(),
                request.normalizedPath());
    }
}

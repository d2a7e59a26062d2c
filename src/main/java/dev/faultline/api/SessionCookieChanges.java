package dev.faultline.api;

import java.util.Set;

import jakarta.ws.rs.container.ContainerRequestContext;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.faultline.PolicyDeniedException;
import dev.faultline.security.Identities;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Refuses every change through the API (POST, PUT, PATCH, DELETE) signed in only by the browser's
 * session cookie. A browser attaches that cookie to any request for Faultline, also a form another
 * site posts, which no content type check stops (a run starts with any body or none). Faultline's
 * own UI never needs it: it changes things through its own connection (Vaadin, which carries its own
 * CSRF token) and reads only from {@code /api} (the JUnit report). So the refusal is simpler and
 * stronger than a CSRF token: nothing cross-site can carry Basic credentials or a bearer token,
 * which pipelines send and keep working with. Reads stay open to the cookie.
 */
public class SessionCookieChanges {

    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private final SecurityIdentity identity;

    SessionCookieChanges(SecurityIdentity identity) {
        this.identity = identity;
    }

    @ServerRequestFilter
    void refuseChangesSignedInByTheCookie(ContainerRequestContext request) {
        if (!READS.contains(request.getMethod()) && request.getUriInfo().getRequestUri().getPath().startsWith("/api/")
                && Identities.viaSessionCookie(identity)) {
            throw new PolicyDeniedException("The API does not take changes signed in by the browser's session cookie, "
                    + "which another site can make a browser send; sign in with HTTP Basic or an API token (Authorization: Bearer).");
        }
    }
}

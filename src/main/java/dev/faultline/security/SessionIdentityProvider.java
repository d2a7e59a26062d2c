package dev.faultline.security;

import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TrustedAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * The browser's signed-in session: after the sign-in form checked the password, the encrypted
 * session cookie names the user on each request. Roles are read afresh every time, and a user
 * disabled or deleted since, or who signed out after the cookie was issued, is signed out at once
 * (and the browser told to drop the cookie).
 */
@ApplicationScoped
class SessionIdentityProvider implements IdentityProvider<TrustedAuthenticationRequest> {

    private final BrowserSessions sessions;
    private final SessionCookie cookie;
    private final KnownCredentials known;

    SessionIdentityProvider(BrowserSessions sessions, SessionCookie cookie, KnownCredentials known) {
        this.sessions = sessions;
        this.cookie = cookie;
        this.known = known;
    }

    @Override
    public Class<TrustedAuthenticationRequest> getRequestType() {
        return TrustedAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TrustedAuthenticationRequest request, AuthenticationRequestContext context) {
        String username = request.getPrincipal();
        RoutingContext http = HttpSecurityUtils.getRoutingContextAttribute(request);
        Optional<Instant> issuedAt = http == null ? Optional.empty() : cookie.issuedAt(http, username);
        return context.runBlocking(() -> issuedAt.flatMap(issued -> KnownCredentials.orWhenAway(() -> sessions.find(username, issued),
                () -> known.user(username)))
                .map(Identities::ofSessionCookie)
                .orElseThrow(() -> {
                    if (http != null) {
                        cookie.clear(http);
                    }
                    return new AuthenticationFailedException();
                }));
    }
}

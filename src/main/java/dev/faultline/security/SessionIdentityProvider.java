package dev.faultline.security;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TrustedAuthenticationRequest;
import io.smallrye.mutiny.Uni;

/**
 * The browser's signed-in session: after the sign-in form checked the password, the encrypted
 * session cookie names the user on each request. Roles are read afresh every time, and a user
 * disabled or deleted since is signed out at once.
 */
@ApplicationScoped
class SessionIdentityProvider implements IdentityProvider<TrustedAuthenticationRequest> {

    private final UserService users;
    private final KnownCredentials known;

    SessionIdentityProvider(UserService users, KnownCredentials known) {
        this.users = users;
        this.known = known;
    }

    @Override
    public Class<TrustedAuthenticationRequest> getRequestType() {
        return TrustedAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TrustedAuthenticationRequest request, AuthenticationRequestContext context) {
        return context.runBlocking(() -> KnownCredentials.orWhenAway(() -> users.findEnabled(request.getPrincipal()),
                () -> known.user(request.getPrincipal()))
                .map(Identities::ofSessionCookie)
                .orElseThrow(AuthenticationFailedException::new));
    }
}

package dev.faultline.security;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.smallrye.mutiny.Uni;

/** Signs users in with HTTP Basic: user name and bcrypt-checked password (as last known, while the database is away). */
@ApplicationScoped
class PasswordIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private final UserService users;
    private final KnownCredentials known;

    PasswordIdentityProvider(UserService users, KnownCredentials known) {
        this.users = users;
        this.known = known;
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        String username = request.getUsername();
        String password = new String(request.getPassword().getPassword());
        return context.runBlocking(() -> KnownCredentials.orWhenAway(() -> users.authenticate(username, password),
                () -> known.password(username, password))
                .map(user -> Identities.of(user, user.roles(), Identities.VIA_PASSWORD))
                .orElseThrow(AuthenticationFailedException::new));
    }
}

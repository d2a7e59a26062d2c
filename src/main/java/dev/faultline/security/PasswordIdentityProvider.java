package dev.faultline.security;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;

/**
 * Signs users in with a user name and password, from HTTP Basic or the browser's sign-in form (see
 * {@link PasswordSignIn}). A sign-in that must wait fails with {@link SignInThrottledException},
 * which Quarkus hands to the request's failure handlers rather than answering 401 itself.
 */
@ApplicationScoped
class PasswordIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private final PasswordSignIn signIn;

    PasswordIdentityProvider(PasswordSignIn signIn) {
        this.signIn = signIn;
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        SignInAttempt attempt = SignInAttempt.of(request.getUsername(), HttpSecurityUtils.getRoutingContextAttribute(request));
        String password = new String(request.getPassword().getPassword());
        return context.runBlocking(() -> signIn.signIn(attempt, password)
                .map(user -> Identities.of(user, user.roles(), Identities.VIA_PASSWORD))
                .orElseThrow(AuthenticationFailedException::new));
    }
}

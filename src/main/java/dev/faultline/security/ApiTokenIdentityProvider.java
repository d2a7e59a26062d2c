package dev.faultline.security;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.smallrye.mutiny.Uni;

/** Signs pipelines in with an API token. */
@ApplicationScoped
class ApiTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    static final String REMOTE_ADDRESS = "faultline.remote-address";

    private final TokenService tokens;

    ApiTokenIdentityProvider(TokenService tokens) {
        this.tokens = tokens;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        if (!BearerTokenMechanism.CREDENTIAL_TYPE.equals(request.getToken().getType())) {
            return Uni.createFrom().nullItem();
        }
        String presented = request.getToken().getToken();
        String from = request.getAttribute(REMOTE_ADDRESS);
        return context.runBlocking(() -> KnownCredentials.orWhenAway(() -> tokens.authenticate(presented, from),
                () -> tokens.lastKnown(presented))
                .map(identity -> Identities.of(identity.owner(), identity.roles(), Identities.VIA_TOKEN))
                .orElseThrow(AuthenticationFailedException::new));
    }
}

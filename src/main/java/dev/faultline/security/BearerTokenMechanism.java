package dev.faultline.security;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads {@code Authorization: Bearer flt_…} (a Faultline API token). Other bearer tokens are left to
 * OpenID Connect when it is enabled, and requests without one to HTTP Basic. It runs before the
 * OpenID Connect mechanism, which would otherwise reject an API token as a malformed JWT.
 */
@ApplicationScoped
class BearerTokenMechanism implements HttpAuthenticationMechanism {

    private static final String PREFIX = "Bearer ";
    /** Marks the credential as an API token, so that no other identity provider takes it for a JWT. */
    static final String CREDENTIAL_TYPE = "faultline-api-token";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String header = context.request().getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return Uni.createFrom().nullItem();
        }
        String token = header.substring(PREFIX.length()).strip();
        if (!token.startsWith(TokenService.PREFIX)) {
            return Uni.createFrom().nullItem();
        }
        TokenAuthenticationRequest request = new TokenAuthenticationRequest(new TokenCredential(token, CREDENTIAL_TYPE));
        request.setAttribute(ApiTokenIdentityProvider.REMOTE_ADDRESS,
                context.request().remoteAddress() == null ? null : context.request().remoteAddress().hostAddress());
        return identities.authenticate(request);
    }

    /**
     * With the browser's form sign-in enabled, Quarkus keeps HTTP Basic silent, so this answers the
     * API's 401 for both schemes it accepts.
     */
    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Basic realm=\"Faultline\", Bearer realm=\"Faultline\""));
    }

    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 100;
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class);
    }
}

package dev.faultline.security;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;

/**
 * Turns an identity proven by OpenID Connect into a Faultline user, found by the token's issuer and
 * subject ({@link SingleSignOnAccounts}): the user is created on first sign-in with {@code
 * faultline.oidc.default-roles} and no namespace, and from then on their roles, grants and "disabled"
 * flag come from Faultline, not from the identity provider's token. A token without issuer and
 * subject cannot be linked to anyone and is refused.
 */
@ApplicationScoped
class SingleSignOnUsers implements SecurityIdentityAugmentor {

    private final SingleSignOnAccounts accounts;
    private final SingleSignOnConfig config;

    SingleSignOnUsers(SingleSignOnAccounts accounts, SingleSignOnConfig config) {
        this.accounts = accounts;
        this.config = config;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || Identities.via(identity) != null) {
            return Uni.createFrom().item(identity);
        }
        if (!(identity.getPrincipal() instanceof JsonWebToken token) || token.getIssuer() == null || token.getSubject() == null) {
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        return context.runBlocking(() -> accounts.findOrCreate(token.getIssuer(), token.getSubject(), token.getName(),
                Role.parse(config.defaultRoles()))
                .filter(user -> !user.disabled())
                .map(user -> Identities.of(user, user.roles(), Identities.VIA_SINGLE_SIGN_ON))
                .orElseThrow(AuthenticationFailedException::new));
    }
}

package dev.faultline.security;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;

/**
 * Turns an identity proven by OpenID Connect into a Faultline user: the user is created on first
 * sign-in with {@code faultline.oidc.default-roles} and no namespace, and from then on their roles,
 * grants and "disabled" flag come from Faultline, not from the identity provider's token.
 */
@ApplicationScoped
class SingleSignOnUsers implements SecurityIdentityAugmentor {

    static final String ACTOR = "single sign-on";

    private final UserService users;
    private final SingleSignOnConfig config;

    SingleSignOnUsers(UserService users, SingleSignOnConfig config) {
        this.users = users;
        this.config = config;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || Identities.via(identity) != null) {
            return Uni.createFrom().item(identity);
        }
        String username = identity.getPrincipal().getName();
        return context.runBlocking(() -> users.findOrCreateForSingleSignOn(username, Role.parse(config.defaultRoles()), ACTOR)
                .filter(user -> !user.disabled())
                .map(user -> Identities.of(user, user.roles(), Identities.VIA_SINGLE_SIGN_ON))
                .orElseThrow(AuthenticationFailedException::new));
    }
}

package dev.faultline.security;

import java.util.Set;


import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;

/** Builds the identity of a signed-in caller, with implied roles expanded. */
final class Identities {

    /** Attribute naming how the caller signed in: {@value #VIA_PASSWORD} or {@value #VIA_TOKEN}. */
    static final String VIA = "faultline.via";
    static final String VIA_PASSWORD = "password";
    static final String VIA_TOKEN = "token";
    /** Attribute holding the namespaces granted to the caller (a {@code List<String>}; "*" = all allowed). */
    static final String NAMESPACES = "faultline.namespaces";

    private Identities() {
    }

    static SecurityIdentity of(User user, Set<Role> roles, String via) {
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(user.username()))
                .addAttribute(VIA, via)
                .addAttribute(NAMESPACES, user.namespaces());
        Role.expand(roles).forEach(role -> builder.addRole(role.key()));
        return builder.build();
    }
}

package dev.faultline.security;

import java.util.List;
import java.util.Set;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;

/** Builds the identity of a signed-in caller, with implied roles expanded, and reads what Faultline adds to it. */
public final class Identities {

    /** Attribute naming how the caller signed in: {@value #VIA_PASSWORD}, {@value #VIA_TOKEN} or {@value #VIA_SINGLE_SIGN_ON}. */
    static final String VIA = "faultline.via";
    static final String VIA_PASSWORD = "password";
    static final String VIA_TOKEN = "token";
    static final String VIA_SINGLE_SIGN_ON = "oidc";
    /** Attribute holding the namespaces granted to the caller (a {@code List<String>}; "*" = all allowed). */
    static final String NAMESPACES = "faultline.namespaces";

    private Identities() {
    }

    /** How the caller signed in: {@value #VIA_PASSWORD}, {@value #VIA_TOKEN}, {@value #VIA_SINGLE_SIGN_ON}, or null when they did not. */
    public static String via(SecurityIdentity identity) {
        return identity.getAttribute(VIA);
    }

    public static boolean viaToken(SecurityIdentity identity) {
        return VIA_TOKEN.equals(via(identity));
    }

    /** The namespaces granted to the caller; "*" grants every allowed one. */
    public static List<String> namespaces(SecurityIdentity identity) {
        List<String> granted = identity.getAttribute(NAMESPACES);
        return granted == null ? List.of() : granted;
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

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
    /** Attribute marking a caller who came with the browser's session cookie, which a browser sends on its own. */
    static final String SESSION_COOKIE = "faultline.session-cookie";

    private Identities() {
    }

    /** How the caller signed in: {@value #VIA_PASSWORD}, {@value #VIA_TOKEN}, {@value #VIA_SINGLE_SIGN_ON}, or null when they did not. */
    public static String via(SecurityIdentity identity) {
        return identity.getAttribute(VIA);
    }

    public static boolean viaToken(SecurityIdentity identity) {
        return VIA_TOKEN.equals(via(identity));
    }

    /**
     * Whether the caller was signed in by the browser's session cookie. A browser attaches it to any
     * request for Faultline, also one another site makes it send, so it proves less than credentials a
     * client adds itself (HTTP Basic, a token).
     */
    public static boolean viaSessionCookie(SecurityIdentity identity) {
        return Boolean.TRUE.equals(identity.getAttribute(SESSION_COOKIE));
    }

    /** The namespaces granted to the caller; "*" grants every allowed one. */
    public static List<String> namespaces(SecurityIdentity identity) {
        List<String> granted = identity.getAttribute(NAMESPACES);
        return granted == null ? List.of() : granted;
    }

    static SecurityIdentity of(User user, Set<Role> roles, String via) {
        return builder(user, roles, via).build();
    }

    /** A user signed in by the session cookie of a password sign-in. */
    static SecurityIdentity ofSessionCookie(User user) {
        return builder(user, user.roles(), VIA_PASSWORD).addAttribute(SESSION_COOKIE, true).build();
    }

    private static QuarkusSecurityIdentity.Builder builder(User user, Set<Role> roles, String via) {
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(user.username()))
                .addAttribute(VIA, via)
                .addAttribute(NAMESPACES, user.namespaces());
        Role.expand(roles).forEach(role -> builder.addRole(role.key()));
        return builder;
    }
}

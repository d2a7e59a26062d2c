package dev.faultline.security;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import dev.faultline.PolicyDeniedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who acts, as every feature service sees them, whichever door they came through: their name, their
 * roles (implied ones included), the namespaces granted to them ("*" = every allowed one), how they
 * signed in, the door ({@link Via}) and the address they came from.
 */
public record Caller(String name, Set<Role> roles, List<String> grants, String signedInWith, Via via, String source) {

    /** The door an action came through, as the audit log names it. */
    public enum Via {
        API, UI, SCHEDULE, GAMEDAY, PLAYGROUND;

        @com.fasterxml.jackson.annotation.JsonValue
        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Caller {
        roles = roles.isEmpty() ? Set.of() : Set.copyOf(Role.expand(EnumSet.copyOf(roles)));
        grants = List.copyOf(grants);
    }

    /** The signed-in user of {@code identity}, acting through {@code via} from {@code source}. */
    public static Caller of(SecurityIdentity identity, Via via, String source) {
        return new Caller(identity.getPrincipal().getName(), Role.parse(identity.getRoles()), Identities.namespaces(identity),
                Identities.via(identity), via, source);
    }

    /** Faultline acting by itself for a schedule or a game day ({@code schedule:nightly}); it holds no role. */
    public static Caller job(String name, Via via) {
        return new Caller(name, Set.of(), List.of(), null, via, null);
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }

    /** Fails (403) unless the caller holds {@code role}. */
    public void require(Role role) {
        if (!has(role)) {
            throw new ForbiddenException("Your roles do not allow this action: it needs the role " + role.key() + ".");
        }
    }

    public boolean isGranted(String namespace) {
        return grants.contains("*") || grants.contains(namespace);
    }

    /** Fails (403, policy) unless the caller was granted {@code namespace}. */
    public void requireGrant(String namespace) {
        if (!isGranted(namespace)) {
            throw new PolicyDeniedException(name + " has no grant for namespace " + namespace + "; an admin can grant it");
        }
    }
}

package dev.faultline.security;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.PolicyDeniedException;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who may work in which namespace. A user authors and runs experiments only in the namespaces
 * granted to them ("*" grants all); runs additionally need the namespace in
 * {@code faultline.policy.allowed-namespaces}.
 */
@ApplicationScoped
public class NamespacePolicy {

    private final PolicyConfig config;

    NamespacePolicy(PolicyConfig config) {
        this.config = config;
    }

    /** Fails unless the caller was granted {@code namespace}. */
    public void requireGrant(SecurityIdentity caller, String namespace) {
        List<String> granted = caller.getAttribute(Identities.NAMESPACES);
        if (granted == null || !(granted.contains("*") || granted.contains(namespace))) {
            throw new PolicyDeniedException(caller.getPrincipal().getName() + " has no grant for namespace " + namespace
                    + "; an admin can grant it");
        }
    }

    public boolean isAllowed(String namespace) {
        return config.allowedNamespaces().orElse(List.of()).contains(namespace);
    }
}

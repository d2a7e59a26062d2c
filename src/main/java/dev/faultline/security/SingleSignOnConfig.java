package dev.faultline.security;

import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Users who sign in through OpenID Connect (enabled with {@code quarkus.oidc.tenant-enabled=true}
 * and the {@code quarkus.oidc.*} keys of the identity provider). The provider proves who they are;
 * their roles and namespace grants are Faultline's, managed by admins like any user's.
 */
@ConfigMapping(prefix = "faultline.oidc")
public interface SingleSignOnConfig {

    /** Roles given to someone signing in for the first time; admins widen them later. */
    @WithDefault("viewer")
    List<String> defaultRoles();
}

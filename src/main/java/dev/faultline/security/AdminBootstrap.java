package dev.faultline.security;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.faultline.ResourceConflictException;
import io.quarkus.runtime.StartupEvent;

/**
 * Creates the first admin, user {@code admin}, on a database without one: with the password from
 * {@code faultline.admin.password} ({@code FAULTLINE_ADMIN_PASSWORD}), or a generated one that is
 * printed once. An existing admin is never changed.
 */
@Singleton
class AdminBootstrap {

    static final String ADMIN = "admin";
    private static final Logger LOG = Logger.getLogger(AdminBootstrap.class);

    private final UserService users;
    private final Optional<String> configuredPassword;

    AdminBootstrap(UserService users, @ConfigProperty(name = "faultline.admin.password") Optional<String> configuredPassword) {
        this.users = users;
        this.configuredPassword = configuredPassword.filter(p -> !p.isBlank());
    }

    void createFirstAdmin(@Observes StartupEvent start) {
        if (users.find(ADMIN).isPresent()) {
            return;
        }
        String password = configuredPassword.orElseGet(() -> Passwords.generate(24));
        try {
            users.create(ADMIN, password, Set.of(Role.ADMIN), List.of("*"), "faultline");
        } catch (ResourceConflictException createdByAnotherReplica) {
            return;
        }
        if (configuredPassword.isEmpty()) {
            // The one time this secret is shown: the operator has no other way to learn it.
            LOG.warnf("Created user 'admin' with the generated password %s ; it is not shown again. "
                    + "Set FAULTLINE_ADMIN_PASSWORD before the first start to choose it.", password);
        } else {
            LOG.info("Created user 'admin' with the password from faultline.admin.password");
        }
    }
}

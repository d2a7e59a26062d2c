package dev.faultline.security;

import java.util.Optional;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * Creates the first admin, user {@code admin}, on a database without any enabled admin: with the
 * password from {@code faultline.admin.password} ({@code FAULTLINE_ADMIN_PASSWORD}), or a generated
 * one that is printed once. Only then: once other admins exist, deleting {@code admin} is for good,
 * and a well-known name with a known password does not come back at the next start. An existing
 * account is never changed.
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
        String password = configuredPassword.orElseGet(() -> Passwords.generate(24));
        switch (users.createFirstAdmin(ADMIN, password)) {
            case NOT_NEEDED -> {
            }
            case NAME_TAKEN -> LOG.errorf("Faultline has no enabled admin, and the name '%s' belongs to an account that is not one; "
                    + "nothing was created. Give an account the admin role (or enable it) in the database.", ADMIN);
            case CREATED -> {
                if (configuredPassword.isEmpty()) {
                    // The one time this secret is shown: the operator has no other way to learn it.
                    LOG.warnf("Created user 'admin' with the generated password %s ; it is not shown again. "
                            + "Set FAULTLINE_ADMIN_PASSWORD before the first start to choose it.", password);
                } else {
                    LOG.info("Created user 'admin' with the password from faultline.admin.password");
                }
            }
        }
    }
}

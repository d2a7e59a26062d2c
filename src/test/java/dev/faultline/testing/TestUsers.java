package dev.faultline.testing;

import java.util.EnumSet;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.faultline.security.Role;
import dev.faultline.security.UserService;

/** Creates users for tests; each one's password is {@link #password(String)}. */
@ApplicationScoped
public class TestUsers {

    @Inject
    UserService users;

    public String create(String username, List<String> namespaces, Role... roles) {
        users.create(username, password(username), roles.length == 0 ? EnumSet.noneOf(Role.class) : EnumSet.of(roles[0], roles),
                namespaces, "test");
        return username;
    }

    public static String password(String username) {
        return TestSecrets.remember(username + "-Pw-4242");
    }
}

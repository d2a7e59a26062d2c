package dev.faultline.security;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What a user may do. Higher roles include lower ones: an admin is also an experimenter, an
 * approver and a viewer; experimenters and approvers are viewers.
 */
public enum Role {
    VIEWER,
    EXPERIMENTER,
    APPROVER,
    ADMIN;

    /** The names used in {@code @RolesAllowed}, in the API and in the database. */
    public static final String VIEWER_NAME = "viewer";
    public static final String EXPERIMENTER_NAME = "experimenter";
    public static final String APPROVER_NAME = "approver";
    public static final String ADMIN_NAME = "admin";

    @JsonValue
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> of(String key) {
        for (Role role : values()) {
            if (role.key().equals(key)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }

    /** This role and every role it includes. */
    public Set<Role> withImplied() {
        return switch (this) {
            case ADMIN -> EnumSet.allOf(Role.class);
            case EXPERIMENTER -> EnumSet.of(EXPERIMENTER, VIEWER);
            case APPROVER -> EnumSet.of(APPROVER, VIEWER);
            case VIEWER -> EnumSet.of(VIEWER);
        };
    }

    /** The roles named by these keys; unknown keys are skipped. */
    public static Set<Role> parse(java.util.Collection<String> keys) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        keys.forEach(key -> of(key).ifPresent(roles::add));
        return roles;
    }

    /** Every role the given roles include. */
    public static Set<Role> expand(Set<Role> roles) {
        Set<Role> all = EnumSet.noneOf(Role.class);
        roles.forEach(role -> all.addAll(role.withImplied()));
        return all;
    }
}

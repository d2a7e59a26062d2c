package dev.faultline.security;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/** A user as other features see it; never carries the password hash. */
public record User(String username, Set<Role> roles, List<String> namespaces, boolean disabled, Instant createdAt,
        String createdBy) {
}

package dev.faultline.security;

import java.time.Instant;
import java.util.Set;

/** An API token as its owner sees it later: everything but the secret. */
public record ApiToken(String id, String name, String owner, Set<Role> roles, Instant createdAt, Instant expiresAt,
        Instant revokedAt, Instant lastUsedAt, String lastUsedFrom) {
}

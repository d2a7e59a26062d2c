package dev.faultline.mesh;

import java.time.Instant;

/** A rule found in the cluster that Faultline wrote, with what its annotations say about it. */
public record OwnedRule(RuleRef rule, Instant expiresAt) {
}

package dev.faultline.mesh;

import java.time.Instant;

/**
 * A rule found in the cluster that Faultline wrote, with what its annotations say about it.
 *
 * @param expiresAt when the rule must be gone, or null when its annotation is missing
 * @param epoch the ownership epoch of the run's owner that wrote it ({@code faultline.dev/epoch}), or 0 when missing
 */
public record OwnedRule(RuleRef rule, Instant expiresAt, long epoch) {
}

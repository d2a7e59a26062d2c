package dev.faultline.mesh;

import java.time.Instant;

/**
 * Someone other than Faultline changed a live rule: removed its route or its fault, or deleted the
 * resource holding it (a GitOps sync, {@code kubectl edit}).
 *
 * @param at when the change was seen
 * @param change what changed, in words ("route faultline-x was removed from bookinfo/reviews")
 */
public record Drift(RuleRef rule, Instant at, String change) {
}

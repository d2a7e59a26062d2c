package dev.faultline.mesh;

import java.time.Instant;

/**
 * A rule Faultline wrote: the route {@code route} inside VirtualService {@code namespace/resource},
 * which Faultline either created for the run ({@code dedicated}) or inserted into a user's resource.
 */
public record RuleRef(String runId, String kind, String namespace, String resource, String route, boolean dedicated,
        Instant appliedAt) {

    public static final String PREFIX = "faultline-";
}

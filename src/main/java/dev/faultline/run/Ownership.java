package dev.faultline.run;

/**
 * The right of one instance to act for one run: every write the owner makes is conditional on
 * {@code epoch}, which grows on every takeover, so a former owner that wakes up is refused.
 */
record Ownership(String runId, long epoch) {
}

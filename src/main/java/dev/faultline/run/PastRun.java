package dev.faultline.run;

/** A run as a report reads it: with its rules and timeline (no document) and its findings as stored (a JSON array, null until drawn). */
public record PastRun(Run run, String findings) {
}

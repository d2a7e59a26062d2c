package dev.faultline.interop;

/** A part of one format that the other cannot express: where it is, and why it was left out. */
public record Unmapped(String path, String reason) {
}

package dev.faultline.secret;

import java.time.Instant;
import java.util.List;

/** A stored secret as anyone may see it: its name, where it may be sent, who stored it; never its value. */
public record Secret(String name, List<String> hosts, Instant createdAt, String createdBy, Instant updatedAt, String updatedBy) {
}

package dev.faultline.run;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A run as the API shows it: state, verdict and reason, the rules it wrote and its timeline; when retention
 * removed its samples or its timeline, since when ({@code faultline.retention.*}).
 */
public record Run(String id, String experiment, int revision, RunState state, RunState verdict, String reason,
        String startedBy, Instant createdAt, Instant startedAt, Instant endedAt, boolean needsCleanup, List<Rule> rules,
        List<TimelineEntry> timeline, Recovery recovery, Instant samplesRemovedAt, Instant timelineRemovedAt, JsonNode document) {

    /** How long after its last rule was removed the steady state held again; null on a run while that is not known. */
    public record Recovery(double seconds, Instant holdsAgainAt) {
    }

    public record Rule(String kind, String namespace, String name, String route, Instant appliedAt, Instant removedAt) {
    }

    public record TimelineEntry(Instant at, TimelineKind type, String message) {
    }

    /** One check of a guardrail or probe: its value (null without one) against its threshold. */
    public record Sample(String check, String phase, Instant at, Double value, boolean passed, String threshold, String reason) {

        public CheckKind kind() {
            return CheckKind.of(check);
        }
    }

    public record Halt(boolean halted, String reason, String changedBy, Instant changedAt) {
    }
}

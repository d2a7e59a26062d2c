package dev.faultline.resilience;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import dev.faultline.run.RunState;

/**
 * How an experiment's target, or a namespace, answered faults across runs: the verdicts over time,
 * the times to recover, the findings still open and those the latest runs no longer show, and a
 * score that lists every point it gained or lost.
 *
 * @param experiment the experiment reported on, null for a namespace's report
 * @param namespace the namespace (an experiment's: its target's)
 * @param from the start of the period (the period ends at {@code to}, when the report was read)
 * @param verdicts how the runs that wrote a fault rule ended
 * @param recovery their times to recover
 * @param runs every run of the period, newest first (at most {@link ReportService#MOST_RUNS})
 * @param findings every finding of the period, open ones first
 * @param score 0 to 100, null when no run judged the services; with its explanation
 */
@JsonPropertyOrder({ "experiment", "namespace", "from", "to", "verdicts", "recovery", "score", "findings", "runs" })
public record Report(String experiment, String namespace, Instant from, Instant to, Verdicts verdicts, Recovery recovery,
        List<RunRow> runs, List<FindingRow> findings, Score score) {

    public Report {
        runs = List.copyOf(runs);
        findings = List.copyOf(findings);
    }

    /**
     * @param judged the runs that wrote a rule and ended with a verdict on the services (COMPLETED, DEVIATED, ABORTED)
     * @param abortedByGuardrail of the aborted, those a guardrail aborted (the others: a person, the kill switch, a lost owner)
     * @param failed runs that wrote a rule and ended FAILED (Faultline or the cluster failed: nothing said of the services)
     * @param cancelled runs that never wrote a rule
     */
    public record Verdicts(int judged, int completed, int deviated, int aborted, int abortedByGuardrail, int failed, int cancelled) {
    }

    /**
     * @param measured runs whose steady state was seen holding again
     * @param notRecovered runs whose steady state did not hold again in time
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Recovery(int measured, Double medianSeconds, Double worstSeconds, int notRecovered) {
    }

    /** @param findings how many findings the run has, null while they are not drawn */
    public record RunRow(String id, String experiment, Instant startedAt, Instant endedAt, RunState verdict, String reason,
            Double recoverySeconds, boolean notRecovered, boolean wroteRules, Integer findings) {
    }

    /**
     * A finding as the runs of the period showed it: the same kind, caller, service (and guardrail) in each.
     *
     * @param open whether the newest run of its experiment whose findings are drawn still shows it
     * @param runs in how many runs it was found
     * @param lastRun the newest of them, whose message it carries
     */
    @JsonPropertyOrder({ "kind", "experiment", "caller", "service", "guardrail", "open", "message", "runs", "firstSeen", "lastSeen", "lastRun" })
    public record FindingRow(Finding.Kind kind, String experiment, String caller, String service, String guardrail, boolean open,
            String message, int runs, Instant firstSeen, Instant lastSeen, String lastRun) {
    }

    /** @param value null when there is nothing to score; the sum of the explanation's points otherwise, at least 0 */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Score(Integer value, List<Reason> explanation) {
    }

    /** Points gained (the start) or lost, and why. */
    public record Reason(int points, String reason) {
    }
}

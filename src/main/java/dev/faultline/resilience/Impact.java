package dev.faultline.resilience;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import dev.faultline.run.Run;

/**
 * What a run did to the traffic of its namespace, read from the mesh's own telemetry: every edge
 * (caller workload → destination service) with its traffic before the run, during the fault and
 * after the recovery, and how much it changed.
 *
 * @param run the run
 * @param target the service the fault was on, and its namespace
 * @param window the three windows the traffic is averaged over
 * @param edges each caller → destination, the target's first, then by how much they changed
 * @param recovery when the steady state held again (null while unknown or when it did not)
 * @param queries how many Prometheus queries the impact took (a few per window, whatever the number of edges)
 * @param notes what could not be read, in words (a window without data, a failed query)
 */
@JsonPropertyOrder({ "run", "target", "window", "edges", "recovery", "queries", "notes" })
public record Impact(String run, Target target, Windows window, List<Edge> edges, Run.Recovery recovery, int queries, List<String> notes) {

    public Impact {
        edges = List.copyOf(edges);
        notes = List.copyOf(notes);
    }

    public record Target(String namespace, String service) {
    }

    /** {@code after} is null until there is something to read after the removal. */
    public record Windows(Window before, Window during, Window after) {
    }

    public record Window(Instant from, Instant to) {

        public long millis() {
            return java.time.Duration.between(from, to).toMillis();
        }
    }

    /**
     * One caller (workload) → destination (service), as the caller's proxy saw it when it reports (else
     * the waypoint's, else the destination's).
     *
     * @param source the caller's workload
     * @param sourceService the caller's service (its canonical service), which the graph draws it as
     * @param destination the destination service
     * @param reporter which proxy's reports these are: {@code source}, {@code waypoint} or {@code destination}
     * @param target whether the destination is the run's target
     * @param change how much the edge changed from before to during
     */
    @JsonPropertyOrder({ "source", "sourceNamespace", "sourceService", "destination", "destinationNamespace", "reporter", "target",
            "before", "during", "after", "change" })
    public record Edge(String source, String sourceNamespace, String sourceService, String destination, String destinationNamespace,
            String reporter, boolean target, Traffic before, Traffic during, Traffic after, Change change) {
    }

    /**
     * The traffic of an edge over a window, null fields when Prometheus had none.
     *
     * @param requestRate requests per second
     * @param errorRate the share of 5xx answers, injected aborts included
     * @param errorRateExcludingInjected the share of 5xx among the requests Istio did not fault on purpose (flags FI, DI)
     * @param latencyP50 median duration in milliseconds
     * @param latencyP99 99th percentile in milliseconds
     */
    public record Traffic(Double requestRate, Double errorRate, Double errorRateExcludingInjected, Double latencyP50, Double latencyP99) {
    }

    /**
     * From before to during: {@code level} NONE, SMALL or LARGE (error rate up by at least 1 or 5
     * points, or p99 latency up by at least 20 % or 100 %), NEW (no traffic before) or GONE (none
     * during); the figures it was judged on.
     */
    public record Change(Level level, Double errorRatePoints, Double latencyP99Ratio) {
    }

    public enum Level {
        NONE, SMALL, LARGE, NEW, GONE
    }
}

package dev.faultline.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * The experiment documents the tests run, built in one place: an abort of half the calls to a
 * Bookinfo service, for a while, with the guardrails and probes a test needs.
 *
 * <pre>{@code TestExperiments.aborting("reviews").named("crash").lasting("10m").answering(port).yaml()}</pre>
 */
public final class TestExperiments {

    private final String service;
    private String name;
    private String team;
    private String subset;
    private String duration = "60s";
    private String fault = "abort: { httpStatus: 503, percentage: 50 }";
    private final List<String> probes = new ArrayList<>();
    private final List<String> guardrails = new ArrayList<>();
    private final List<String> more = new ArrayList<>();

    private TestExperiments(String service) {
        this.service = service;
        this.name = service + "-abort";
    }

    /** Aborts half the calls to {@code service} in namespace bookinfo with 503. */
    public static TestExperiments aborting(String service) {
        return new TestExperiments(service);
    }

    /** Delays every call to {@code service} in namespace bookinfo by {@code fixedDelay} (as experiments write it: 1s, 500ms). */
    public static TestExperiments delaying(String service, String fixedDelay) {
        TestExperiments experiment = new TestExperiments(service);
        experiment.name = service + "-delay";
        experiment.fault = "delay: { fixedDelay: " + fixedDelay + ", percentage: 100 }";
        return experiment;
    }

    public TestExperiments named(String name) {
        this.name = name;
        return this;
    }

    public TestExperiments team(String team) {
        this.team = team;
        return this;
    }

    /** Aims at one subset of the service (as a DestinationRule names it) instead of all of it. */
    public TestExperiments subset(String subset) {
        this.subset = subset;
        return this;
    }

    /** How long the fault stays in (a duration as experiments write it: 60s, 10m). */
    public TestExperiments lasting(String duration) {
        this.duration = duration;
        return this;
    }

    /** A guardrail that holds while something on the loopback {@code port} answers {@code GET /} with 200. */
    public TestExperiments answering(int port) {
        guardrails.add("""
                - name: something answers
                  http: { url: "http://127.0.0.1:%d/", expectStatus: 200 }
                  interval: 500ms""".formatted(port));
        return this;
    }

    /** A guardrail on the target's error rate below 0.2 over 3 s, checked every 250 ms, two failures in a row to abort. */
    public TestExperiments errorRateBelowOneFifth(boolean excludeInjected) {
        guardrails.add("""
                - name: %s error rate
                  goldenSignal: { signal: errorRate, service: %s, window: 3s, excludeInjected: %s }
                  tolerance: { below: 0.2 }
                  interval: 250ms
                  failureThreshold: 2""".formatted(service, service, excludeInjected));
        return this;
    }

    /** A guardrail on a raw PromQL {@code query}, below {@code below}, checked every 500 ms, two failures in a row to abort. */
    public TestExperiments promqlBelow(String guardrail, String query, double below) {
        guardrails.add("""
                - name: %s
                  prometheus: { query: "%s" }
                  tolerance: { below: %s }
                  interval: 500ms
                  failureThreshold: 2""".formatted(guardrail, query, below));
        return this;
    }

    /** A steady-state probe: {@code GET url} answers 200 within a second. */
    public TestExperiments steadyWhile(String probe, String url) {
        probes.add("""
                - name: %s
                  http: { url: "%s", expectStatus: 200, timeout: 1s }""".formatted(probe, url));
        return this;
    }

    /** A steady-state posture probe: {@code expectations} as YAML flow fields ({@code mtls: STRICT, maxTimeout: 2s}). */
    public TestExperiments steadyWhilePosture(String probe, String service, String expectations) {
        probes.add("""
                - name: %s
                  posture: { service: %s, %s }""".formatted(probe, service, expectations));
        return this;
    }

    /** Further lines of the spec, as YAML at the spec's level ({@code notify: [...]}, {@code ramp: ...}). */
    public TestExperiments with(String specLines) {
        more.add(specLines.strip());
        return this;
    }

    public String name() {
        return name;
    }

    public String yaml() {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: faultline.dev/v1
                kind: Experiment
                metadata: { name: %s%s }
                spec:
                  target: { namespace: bookinfo, service: %s%s }
                  faults:
                    - %s
                  duration: %s
                """.formatted(name, team == null ? "" : ", team: " + team, service, subset == null ? "" : ", subset: " + subset, fault, duration));
        if (!probes.isEmpty()) {
            yaml.append("  steadyState:\n    probes:\n");
            probes.forEach(probe -> yaml.append(probe.indent(6)));
        }
        if (!guardrails.isEmpty()) {
            yaml.append("  guardrails:\n");
            guardrails.forEach(guardrail -> yaml.append(guardrail.indent(4)));
        }
        more.forEach(lines -> yaml.append(lines.indent(2)));
        return yaml.toString();
    }
}

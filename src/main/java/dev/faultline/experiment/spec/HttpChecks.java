package dev.faultline.experiment.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.faultline.experiment.spec.ExperimentSpec.SteadyState;
import dev.faultline.experiment.spec.Measurement.HttpCheck;

/** The HTTP checks of an experiment, each with where it sits in the document, and a copy with their headers rewritten. */
public final class HttpChecks {

    private HttpChecks() {
    }

    /**
     * One HTTP check of a steady-state probe or a guardrail.
     *
     * @param path where the check sits ({@code spec.steadyState.probes[0]}); its headers are at {@code path + ".http.headers"}
     * @param guardrail a guardrail's check rather than a steady-state probe's
     */
    public record At(String path, String name, boolean guardrail, HttpCheck http) {

        public String headerPath(String header) {
            return path + ".http.headers." + header;
        }
    }

    public static List<At> of(ExperimentSpec spec) {
        List<At> checks = new ArrayList<>();
        if (spec.steadyState() != null) {
            List<Probe> probes = spec.steadyState().probes();
            for (int i = 0; i < probes.size(); i++) {
                add(checks, "spec.steadyState.probes[" + i + "]", probes.get(i).name(), false, probes.get(i).measurement());
            }
        }
        for (int i = 0; i < spec.guardrails().size(); i++) {
            Guardrail guardrail = spec.guardrails().get(i);
            add(checks, "spec.guardrails[" + i + "]", guardrail.name(), true, guardrail.measurement());
        }
        return checks;
    }

    private static void add(List<At> checks, String path, String name, boolean guardrail, Measurement measurement) {
        if (measurement != null && measurement.http() != null) {
            checks.add(new At(path, name, guardrail, measurement.http()));
        }
    }

    /** {@code experiment} with each HTTP check's headers replaced by what {@code rewrite} makes of them. */
    public static Experiment rewriteHeaders(Experiment experiment, Function<At, Map<String, HeaderValue>> rewrite) {
        ExperimentSpec spec = experiment.spec();
        List<At> checks = of(spec);
        if (checks.isEmpty()) {
            return experiment;
        }
        SteadyState steadyState = spec.steadyState() == null ? null : new SteadyState(spec.steadyState().probes().stream()
                .map(probe -> new Probe(probe.name(), rewritten(probe.measurement(), checks, false, probe.name(), rewrite),
                        probe.tolerance()))
                .toList());
        List<Guardrail> guardrails = spec.guardrails().stream()
                .map(g -> new Guardrail(g.name(), rewritten(g.measurement(), checks, true, g.name(), rewrite), g.tolerance(),
                        g.interval(), g.failureThreshold()))
                .toList();
        return new Experiment(experiment.apiVersion(), experiment.kind(), experiment.metadata(), new ExperimentSpec(spec.target(),
                spec.faults(), spec.duration(), spec.rampUp(), steadyState, guardrails, spec.notifications()));
    }

    private static Measurement rewritten(Measurement measurement, List<At> checks, boolean guardrail, String name,
            Function<At, Map<String, HeaderValue>> rewrite) {
        if (measurement == null || measurement.http() == null) {
            return measurement;
        }
        At at = checks.stream().filter(c -> c.guardrail() == guardrail && c.http() == measurement.http()).findFirst().orElseThrow();
        return new Measurement(null, null, measurement.http().withHeaders(rewrite.apply(at)), null);
    }
}

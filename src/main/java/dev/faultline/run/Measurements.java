package dev.faultline.run;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.faultline.experiment.spec.CredentialHeaders;
import dev.faultline.experiment.spec.ExperimentSpec;
import dev.faultline.experiment.spec.HeaderValue;
import dev.faultline.experiment.spec.Measurement;
import dev.faultline.experiment.spec.Probe;
import dev.faultline.experiment.spec.StatusRange;
import dev.faultline.metrics.GoldenSignal;
import dev.faultline.metrics.HostEntry;
import dev.faultline.metrics.HttpProbe;
import dev.faultline.metrics.SecretHeader;

/** Turns the measurements users write into what the metrics package runs, with the document's defaults filled in. */
public final class Measurements {

    private Measurements() {
    }

    /** A Prometheus query of an experiment, named by where it sits in the document. */
    public record NamedQuery(String path, String name, String promql) {

        public CheckKind kind() {
            return CheckKind.of(path);
        }
    }

    /**
     * Whose series a golden signal reads when its document does not say: the destination's sidecar, or, for a
     * service in an ambient namespace with a waypoint, the waypoint (Istio's {@code reporter="waypoint"}).
     */
    @FunctionalInterface
    public interface Reporters {

        /** Sidecar mode everywhere: the destination's proxy. */
        Reporters DESTINATION = (namespace, service) -> GoldenSignal.Reporter.DESTINATION;

        GoldenSignal.Reporter of(String namespace, String service);
    }

    /** The PromQL of a Prometheus-backed measurement (raw, or what its golden-signal template stands for) as if in sidecar mode. */
    public static Optional<String> promql(Measurement measurement, String targetNamespace) {
        return promql(measurement, targetNamespace, Reporters.DESTINATION);
    }

    /** The PromQL of a Prometheus-backed measurement, golden signals reading the series {@code reporters} says. */
    public static Optional<String> promql(Measurement measurement, String targetNamespace, Reporters reporters) {
        if (measurement.prometheus() != null) {
            return Optional.of(measurement.prometheus().query());
        }
        if (measurement.goldenSignal() != null) {
            return Optional.of(goldenSignal(measurement.goldenSignal(), targetNamespace, reporters).promql());
        }
        return Optional.empty();
    }

    /** Every PromQL query of the experiment's probes and guardrails as if in sidecar mode. */
    public static List<NamedQuery> queries(ExperimentSpec spec) {
        return queries(spec, Reporters.DESTINATION);
    }

    /** Every PromQL query of the experiment's probes and guardrails, for users to see (and copy). */
    public static List<NamedQuery> queries(ExperimentSpec spec, Reporters reporters) {
        String namespace = spec.target() == null ? null : spec.target().namespace();
        List<NamedQuery> queries = new ArrayList<>();
        for (Named named : measurements(spec)) {
            promql(named.measurement(), namespace, reporters)
                    .ifPresent(query -> queries.add(new NamedQuery(named.path(), named.name(), query)));
        }
        return queries;
    }

    /** A steady-state probe's or a guardrail's measurement, with where it sits in the document and its name. */
    record Named(String path, String name, Measurement measurement) {
    }

    /** The measurements of the experiment's steady-state probes, then of its guardrails. */
    static List<Named> measurements(ExperimentSpec spec) {
        List<Named> all = new ArrayList<>();
        if (spec.steadyState() != null) {
            List<Probe> probes = spec.steadyState().probes();
            for (int i = 0; i < probes.size(); i++) {
                all.add(new Named("spec.steadyState.probes[" + i + "]", probes.get(i).name(), probes.get(i).measurement()));
            }
        }
        for (int i = 0; i < spec.guardrails().size(); i++) {
            all.add(new Named("spec.guardrails[" + i + "]", spec.guardrails().get(i).name(), spec.guardrails().get(i).measurement()));
        }
        return all;
    }

    static GoldenSignal goldenSignal(Measurement.GoldenSignal signal, String targetNamespace, Reporters reporters) {
        String namespace = signal.namespace() != null ? signal.namespace() : targetNamespace;
        GoldenSignal.Reporter reporter = signal.reporter() == null ? reporters.of(namespace, signal.service())
                : GoldenSignal.Reporter.valueOf(signal.reporter().name());
        return new GoldenSignal(GoldenSignal.Signal.valueOf(signal.signal().name()), signal.service(), namespace,
                signal.window() != null ? signal.window() : Measurement.GoldenSignal.DEFAULT_WINDOW, reporter,
                Boolean.TRUE.equals(signal.excludeInjected()));
    }

    /**
     * The request of an HTTP check: its literal headers, and {@code secretHeaders} read from stored secrets. A literal
     * whose name says it is a credential ({@link CredentialHeaders#isCredential}, masked wherever the document is shown)
     * goes, like a secret, only to the host and port the check calls, never on a redirect elsewhere.
     */
    static HttpProbe.Request http(Measurement.HttpCheck check, List<SecretHeader> secretHeaders) {
        StatusRange expected = check.expectStatus() != null ? check.expectStatus() : StatusRange.SUCCESS;
        URI url = URI.create(check.url());
        Map<String, String> literals = new LinkedHashMap<>();
        List<SecretHeader> bound = new ArrayList<>(secretHeaders);
        check.headers().forEach((name, value) -> {
            if (value instanceof HeaderValue.Literal literal && CredentialHeaders.isCredential(name)) {
                bound.add(new SecretHeader(name, literal.value(), List.of(HostEntry.of(url))));
            } else if (value instanceof HeaderValue.Literal literal) {
                literals.put(name, literal.value());
            }
        });
        return new HttpProbe.Request(url, check.method() != null ? check.method() : "GET", literals,
                bound, check.body(), expected.low(), expected.high(),
                check.timeout() != null ? check.timeout() : Measurement.HttpCheck.DEFAULT_TIMEOUT, check.maxLatency(),
                check.bodyRegex() != null ? Pattern.compile(check.bodyRegex()) : null,
                check.jsonPath() != null ? check.jsonPath().path() : null,
                check.jsonPath() != null ? check.jsonPath().equals() : null);
    }
}

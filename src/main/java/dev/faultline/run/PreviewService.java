package dev.faultline.run;

import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.FieldError;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.SavedExperiment;
import dev.faultline.experiment.spec.Experiment;
import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.FaultPlan;
import dev.faultline.mesh.FaultRequest;
import dev.faultline.mesh.MeshException;
import dev.faultline.metrics.PrometheusClient;
import dev.faultline.metrics.QueryResult;
import dev.faultline.secret.SecretHeaders;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;

/**
 * What a run would do, without doing it: the mesh resources it would write (read from the cluster
 * now), what the policy would refuse, the PromQL of its checks and what they give right now. What
 * reads the cluster or Prometheus with Faultline's own access is for experimenters with a grant for
 * the experiment's namespace, who could run it anyway; viewers see the stored documents and the PromQL
 * text, not what Faultline can read. Nothing is written, so nothing is audited.
 */
@ApplicationScoped
public class PreviewService {

    /** The run id the preview names its rule with; a run uses its own id ({@code faultline-<run id>}). */
    static final String PREVIEW_RUN = "preview";

    private final ExperimentService experiments;
    private final FaultInjector injector;
    private final RunPolicy policy;
    private final PrometheusClient prometheus;
    private final SignalReporters reporters;
    private final SecretHeaders secrets;
    private final Clock clock;

    PreviewService(ExperimentService experiments, FaultInjector injector, RunPolicy policy, PrometheusClient prometheus,
            SignalReporters reporters, SecretHeaders secrets, Clock clock) {
        this.secrets = secrets;
        this.reporters = reporters;
        this.experiments = experiments;
        this.injector = injector;
        this.policy = policy;
        this.prometheus = prometheus;
        this.clock = clock;
    }

    /** One resource as it is ({@code before}, null when it would be created) and as the run would leave it while live. */
    public record Change(FaultPlan.Action action, String kind, String namespace, String name, JsonNode before, JsonNode after) {
    }

    /**
     * @param needsConsent the fault would reach more than the target names; a run must consent to that
     * @param wider what else the fault would reach, in words (what a run consents to)
     * @param refusals why a run would be refused even with consent (also among the warnings)
     * @param policy what the policy in force would refuse about a run of this experiment
     * @param queries the PromQL of every Prometheus-backed probe and guardrail (templates expanded)
     */
    public record Preview(String experiment, int revision, String rule, List<Change> changes, List<String> warnings,
            boolean needsConsent, List<String> wider, List<String> refusals, List<FieldError> policy, List<Measurements.NamedQuery> queries) {
    }

    /** The preview of a stored experiment's current revision: experimenters with a grant for its namespace. */
    public Preview preview(Caller caller, String name) {
        caller.require(Role.EXPERIMENTER);
        SavedExperiment saved = experiments.find(name)
                .orElseThrow(() -> new ResourceNotFoundException("experiment " + name + " does not exist"));
        return preview(caller, saved.experiment(), saved.revision());
    }

    /** The preview of a document (stored or being edited, {@code revision} 0 when it is not stored). */
    public Preview preview(Caller caller, Experiment experiment, int revision) {
        caller.require(Role.EXPERIMENTER);
        caller.requireGrant(experiment.spec().target().namespace());
        FaultPlan plan = injector.plan(FaultRequest.of(PREVIEW_RUN, 1, experiment.spec(), clock.instant(), false));
        Change change = new Change(plan.action(), plan.rule().kind(), plan.rule().namespace(), plan.rule().resource(),
                presentable(plan.before()), presentable(plan.after()));
        List<String> secretProblems = secrets.problems(experiment.spec()).stream()
                .map(problem -> "a run would be cancelled at PRECHECK: " + problem.describe()).toList();
        return new Preview(experiment.name(), revision, plan.rule().route(), List.of(change), concat(secretProblems, plan.warnings()),
                plan.needsConsent(), plan.wider(), concat(secretProblems, plan.refusals()),
                policy.violations(experiment.spec()), queries(caller, experiment.spec()));
    }

    /**
     * The PromQL of every Prometheus-backed probe and guardrail, golden signals expanded for the data plane
     * of their service (the waypoint's series in ambient mode), as a run would send it.
     */
    public List<Measurements.NamedQuery> queries(Caller caller, dev.faultline.experiment.spec.ExperimentSpec spec) {
        caller.require(Role.VIEWER);
        return Measurements.queries(spec, reporters);
    }

    /**
     * What someone keeping a document that no run has checked yet (an import) should know: why a run
     * would be refused, then the preview's warnings (among them what else the fault would reach). A
     * preview that cannot be made (the cluster does not answer, the target does not resolve) is one
     * warning, not a failure: the document is worth keeping all the same, and a run checks again. So is
     * a namespace the caller holds no grant for: the cluster is then not read for them.
     */
    public List<String> warnings(Caller caller, Experiment experiment) {
        String namespace = experiment.spec().target().namespace();
        if (!caller.isGranted(namespace)) {
            return List.of("could not check the target against the cluster: " + caller.name() + " has no grant for namespace "
                    + namespace);
        }
        try {
            Preview preview = preview(caller, experiment, 0);
            Set<String> warnings = new LinkedHashSet<>(preview.refusals());
            warnings.addAll(preview.warnings());
            return List.copyOf(warnings);
        } catch (MeshException e) {
            return List.of("could not check the target against the cluster: " + e.getMessage());
        }
    }

    /**
     * What a check's PromQL gives right now, so whoever sets a threshold sees the value it will be
     * compared with: for experimenters with a grant for {@code namespace}, the namespace the experiment
     * targets. Prometheus answers Faultline for every namespace, so this is the same reach as a run of
     * a probe they may write there, and no more.
     */
    public QueryResult currentValue(Caller caller, String namespace, String promql) {
        caller.require(Role.EXPERIMENTER);
        caller.requireGrant(namespace);
        return prometheus.query(promql);
    }

    /** The services a run could target in {@code namespace}, for choosing one: experimenters with a grant for it. */
    public List<String> services(Caller caller, String namespace) {
        caller.require(Role.EXPERIMENTER);
        caller.requireGrant(namespace);
        return injector.services(namespace);
    }

    private static List<String> concat(List<String> first, List<String> then) {
        return first.isEmpty() ? then : java.util.stream.Stream.concat(first.stream(), then.stream()).toList();
    }

    /** The resource without what the API server maintains (uid, resourceVersion, managedFields, ...). */
    private static JsonNode presentable(JsonNode resource) {
        if (resource == null) {
            return null;
        }
        ObjectNode copy = resource.deepCopy();
        if (copy.get("metadata") instanceof ObjectNode metadata) {
            metadata.remove(List.of("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields"));
        }
        copy.remove("status");
        return copy;
    }
}

package dev.faultline.api;

import java.time.Clock;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.ResourceNotFoundException;
import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.SavedExperiment;
import dev.faultline.experiment.spec.FieldError;
import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.FaultPlan;
import dev.faultline.mesh.FaultRequest;
import dev.faultline.run.Measurements;
import dev.faultline.security.NamespacePolicy;
import dev.faultline.security.Role;

/** What a run of an experiment would write into the mesh, read from the cluster now; nothing is written. */
@Path("/api/v1/experiments/{name}/preview")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.VIEWER_NAME)
@Tag(name = "Experiments")
public class PreviewResource {

    /** The run id the preview names its rule with; a run uses its own id ({@code faultline-<run id>}). */
    static final String PREVIEW_RUN = "preview";

    private final ExperimentService experiments;
    private final FaultInjector injector;
    private final NamespacePolicy policy;
    private final Clock clock;

    PreviewResource(ExperimentService experiments, FaultInjector injector, NamespacePolicy policy, Clock clock) {
        this.experiments = experiments;
        this.injector = injector;
        this.policy = policy;
        this.clock = clock;
    }

    /** One resource as it is ({@code before}, null when it would be created) and as the run would leave it while live. */
    public record Change(String action, String kind, String namespace, String name, JsonNode before, JsonNode after) {
    }

    /**
     * @param needsConsent the fault would reach more than the target names; a run must consent to that
     * @param policy what the policy in force would refuse about a run of this experiment
     * @param queries the PromQL of every Prometheus-backed probe and guardrail (templates expanded)
     */
    public record Preview(String experiment, int revision, String rule, List<Change> changes, List<String> warnings,
            boolean needsConsent, List<FieldError> policy, List<Measurements.NamedQuery> queries) {
    }

    @POST
    @Operation(summary = "Preview the mesh resources a run would write",
            description = "The exact VirtualService before and after (server-managed metadata left out), warnings, "
                    + "what the policy would refuse, and the PromQL of every probe and guardrail. The rule is named faultline-preview here; a run uses faultline-<run id>.")
    @APIResponse(responseCode = "422", description = "The target does not resolve to one route; the detail says why")
    @APIResponse(responseCode = "503", description = "The Kubernetes API could not be read")
    public Preview preview(@PathParam("name") String name) {
        SavedExperiment saved = experiments.find(name)
                .orElseThrow(() -> new ResourceNotFoundException("experiment " + name + " does not exist"));
        FaultPlan plan = injector.plan(FaultRequest.of(PREVIEW_RUN, 1, saved.experiment().spec(), clock.instant(), false));
        Change change = new Change(plan.action(), plan.rule().kind(), plan.rule().namespace(), plan.rule().resource(),
                presentable(plan.before()), presentable(plan.after()));
        return new Preview(name, saved.revision(), plan.rule().route(), List.of(change), plan.warnings(), plan.needsConsent(),
                policy.violations(saved.experiment().spec()), Measurements.queries(saved.experiment().spec()));
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

package dev.faultline.api;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.ResourceNotFoundException;
import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.SavedExperiment;
import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.Experiment;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.experiment.spec.FieldError;
import dev.faultline.experiment.spec.InvalidDocumentException;
import dev.faultline.experiment.spec.Measurement;
import dev.faultline.interop.ChaosToolkitExporter;
import dev.faultline.interop.ChaosToolkitImporter;
import dev.faultline.interop.ChaosToolkitService;
import dev.faultline.interop.Unmapped;
import dev.faultline.run.Measurements;
import dev.faultline.security.NamespacePolicy;
import dev.faultline.security.Role;
import io.quarkus.security.identity.SecurityIdentity;

/** Chaos Toolkit experiments in and out. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Chaos Toolkit", description = "Import Chaos Toolkit experiments, export Faultline ones; what does not map is listed")
public class ChaosToolkitResource {

    private final ChaosToolkitService chaosToolkit;
    private final ExperimentService experiments;
    private final NamespacePolicy policy;
    private final SecurityIdentity caller;

    ChaosToolkitResource(ChaosToolkitService chaosToolkit, ExperimentService experiments, NamespacePolicy policy, SecurityIdentity caller) {
        this.chaosToolkit = chaosToolkit;
        this.experiments = experiments;
        this.policy = policy;
        this.caller = caller;
    }

    /** The Faultline document, what did not map, and what the document lacks before it can be stored (Faultline paths). */
    public record Imported(JsonNode experiment, List<Unmapped> unmapped, List<FieldError> errors) {
    }

    /** The Chaos Toolkit experiment and what of the Faultline document it could not carry. */
    public record Exported(JsonNode experiment, List<Unmapped> unmapped) {
    }

    @POST
    @Path("import/chaostoolkit")
    @RolesAllowed(Role.EXPERIMENTER_NAME)
    @Consumes({ MediaType.APPLICATION_JSON, ApiMediaTypes.YAML, ApiMediaTypes.X_YAML, ApiMediaTypes.TEXT_YAML })
    @Operation(summary = "Import a Chaos Toolkit experiment", description = "Maps it to a Faultline document and lists what "
            + "could not be mapped. `var=name=value` (repeatable) gives configuration values as `chaos run --var` does; "
            + "`name` overrides the name taken from the title; `store=true` also stores it (201).")
    @APIResponse(responseCode = "200", description = "Mapped; `errors` lists what the document lacks before it can be stored")
    @APIResponse(responseCode = "201", description = "Mapped and stored")
    @APIResponse(responseCode = "400", description = "Not a valid Chaos Toolkit experiment, or (with store) an incomplete result")
    public Response importExperiment(String body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @QueryParam("store") boolean store, @QueryParam("name") String name, @QueryParam("var") List<String> vars) {
        ChaosToolkitImporter.Result result = chaosToolkit.importExperiment(body, DocumentFormat.ofMediaType(contentType), vars(vars),
                Optional.ofNullable(name).filter(n -> !n.isBlank()));
        if (!store) {
            return Response.ok(new Imported(result.experiment(), result.unmapped(), result.errors())).build();
        }
        if (!result.complete()) {
            throw new InvalidDocumentException(result.errors());
        }
        Experiment experiment = ExperimentCodec.decode(result.experiment());
        policy.requireGrant(caller, experiment.spec().target().namespace());
        SavedExperiment saved = experiments.create(experiment, caller.getPrincipal().getName());
        return Response.created(URI.create("/api/v1/experiments/" + saved.experiment().name()))
                .entity(new Imported(ExperimentCodec.toTree(saved.experiment()), result.unmapped(), List.of())).build();
    }

    @GET
    @Path("experiments/{name}/export/chaostoolkit")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "Export an experiment as a Chaos Toolkit experiment",
            description = "chaosistio actions and rollbacks, probes and safeguards; what Chaos Toolkit cannot say is listed")
    @APIResponse(responseCode = "404", description = "No such experiment")
    public Exported export(@PathParam("name") String name) {
        SavedExperiment saved = experiments.find(name)
                .orElseThrow(() -> new ResourceNotFoundException("experiment " + name + " does not exist"));
        return export(saved.experiment());
    }

    @POST
    @Path("export/chaostoolkit")
    @RolesAllowed(Role.VIEWER_NAME)
    @Consumes({ MediaType.APPLICATION_JSON, ApiMediaTypes.YAML, ApiMediaTypes.X_YAML, ApiMediaTypes.TEXT_YAML })
    @Operation(summary = "Export a Faultline document (not stored) as a Chaos Toolkit experiment")
    public Exported exportDocument(String body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        return export(ExperimentCodec.decode(body, DocumentFormat.ofMediaType(contentType)));
    }

    /** Golden signals become their PromQL first: Chaos Toolkit knows queries, not Faultline's templates. */
    private Exported export(Experiment experiment) {
        ObjectNode tree = ExperimentCodec.toTree(experiment);
        List<Unmapped> notes = new ArrayList<>();
        String namespace = experiment.spec().target().namespace();
        var probes = experiment.spec().steadyState() == null ? List.<dev.faultline.experiment.spec.Probe> of()
                : experiment.spec().steadyState().probes();
        for (int i = 0; i < probes.size(); i++) {
            promql((ObjectNode) tree.path("spec").path("steadyState").path("probes").get(i), probes.get(i).measurement(), namespace,
                    "spec.steadyState.probes[" + i + "]", notes);
        }
        for (int i = 0; i < experiment.spec().guardrails().size(); i++) {
            promql((ObjectNode) tree.path("spec").path("guardrails").get(i), experiment.spec().guardrails().get(i).measurement(), namespace,
                    "spec.guardrails[" + i + "]", notes);
        }
        ChaosToolkitExporter.Result result = chaosToolkit.export(tree);
        notes.addAll(result.unmapped());
        return new Exported(result.experiment(), notes);
    }

    private static void promql(ObjectNode check, Measurement measurement, String namespace, String path, List<Unmapped> notes) {
        if (measurement.goldenSignal() == null) {
            return;
        }
        check.remove("goldenSignal");
        check.putObject("prometheus").put("query", Measurements.promql(measurement, namespace).orElseThrow());
        notes.add(new Unmapped(path + ".goldenSignal", "exported as the PromQL it stands for"));
    }

    private static Map<String, String> vars(List<String> vars) {
        Map<String, String> values = new LinkedHashMap<>();
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; vars != null && i < vars.size(); i++) {
            String var = vars.get(i);
            int equals = var.indexOf('=');
            if (equals < 1) {
                errors.add(new FieldError("var[" + i + "]", "must be name=value, as chaos run --var takes it"));
            } else {
                values.put(var.substring(0, equals), var.substring(equals + 1));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
        return values;
    }
}

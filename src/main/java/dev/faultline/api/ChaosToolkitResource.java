package dev.faultline.api;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.SavedExperiment;
import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.Experiment;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.interop.ChaosToolkitImporter;
import dev.faultline.interop.ChaosToolkitService;
import dev.faultline.interop.Unmapped;
import dev.faultline.run.PreviewService;
import dev.faultline.security.Role;

/** Chaos Toolkit experiments in and out. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Chaos Toolkit", description = "Import Chaos Toolkit experiments, export Faultline ones; what does not map is listed")
public class ChaosToolkitResource {

    private final ChaosToolkitService chaosToolkit;
    private final ExperimentService experiments;
    private final ChaosToolkitExports exports;
    private final PreviewService previews;
    private final Callers callers;

    ChaosToolkitResource(ChaosToolkitService chaosToolkit, ChaosToolkitExports exports, ExperimentService experiments,
            PreviewService previews, Callers callers) {
        this.chaosToolkit = chaosToolkit;
        this.exports = exports;
        this.experiments = experiments;
        this.previews = previews;
        this.callers = callers;
    }

    /**
     * The Faultline document, what did not map, what the document lacks before it can be stored (Faultline
     * paths), and what its preview against the cluster warns of (empty while the document is incomplete).
     */
    public record Imported(JsonNode experiment, List<Unmapped> unmapped, List<FieldError> errors, List<String> warnings) {
    }

    @POST
    @Path("import/chaostoolkit")
    @RolesAllowed(Role.EXPERIMENTER_NAME)
    @Consumes({ MediaType.APPLICATION_JSON, ApiMediaTypes.YAML, ApiMediaTypes.X_YAML, ApiMediaTypes.TEXT_YAML })
    @Operation(summary = "Import a Chaos Toolkit experiment", description = "Maps it to a Faultline document and lists what "
            + "could not be mapped. `var=name=value` (repeatable) gives configuration values as `chaos run --var` does; "
            + "`name` overrides the name taken from the title; `store=true` also stores it (201). `warnings` says what a "
            + "preview of the document against the cluster warns of: what would refuse a run, what else its fault would "
            + "reach, or that the target could not be checked.")
    @APIResponse(responseCode = "200", description = "Mapped; `errors` lists what the document lacks before it can be stored")
    @APIResponse(responseCode = "201", description = "Mapped and stored")
    @APIResponse(responseCode = "400", description = "Not a valid Chaos Toolkit experiment, or (with store) an incomplete result")
    public Response importExperiment(String body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @QueryParam("store") boolean store, @QueryParam("name") String name, @QueryParam("var") List<String> vars) {
        ChaosToolkitImporter.Result result = chaosToolkit.importExperiment(body, DocumentFormat.ofMediaType(contentType), vars(vars),
                Optional.ofNullable(name).filter(n -> !n.isBlank()));
        if (!result.complete()) {
            if (store) {
                throw new InvalidDocumentException(result.errors());
            }
            return Response.ok(new Imported(result.experiment(), result.unmapped(), result.errors(), List.of())).build();
        }
        Experiment experiment = ExperimentCodec.decode(result.experiment());
        List<String> warnings = previews.warnings(callers.get(), experiment);
        if (!store) {
            return Response.ok(new Imported(result.experiment(), result.unmapped(), List.of(), warnings)).build();
        }
        SavedExperiment saved = experiments.create(callers.get(), experiment);
        return Response.created(URI.create("/api/v1/experiments/" + saved.experiment().name()))
                .entity(new Imported(ExperimentCodec.toTree(saved.experiment()), result.unmapped(), List.of(), warnings)).build();
    }

    @POST
    @Path("export/chaostoolkit")
    @RolesAllowed(Role.VIEWER_NAME)
    @Consumes({ MediaType.APPLICATION_JSON, ApiMediaTypes.YAML, ApiMediaTypes.X_YAML, ApiMediaTypes.TEXT_YAML })
    @Operation(summary = "Export a Faultline document (not stored) as a Chaos Toolkit experiment")
    public ChaosToolkitExports.Exported exportDocument(String body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        return exports.export(ExperimentCodec.decode(body, DocumentFormat.ofMediaType(contentType)));
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

package dev.faultline.api;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import jakarta.ws.rs.BeanParam;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.jboss.resteasy.reactive.RestResponse;
import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.ExperimentService.Applied;
import dev.faultline.experiment.SavedExperiment;
import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.Experiment;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.security.Role;

@Path("/api/v1/experiments")
@Produces({ MediaType.APPLICATION_JSON, ApiMediaTypes.YAML })
@Tag(name = "Experiments", description = "Experiment documents (apiVersion faultline.dev/v1) and their revision history")
public class ExperimentResource {

    private final ExperimentService experiments;
    private final ChaosToolkitExports chaosToolkit;
    private final Callers callers;

    ExperimentResource(ExperimentService experiments, ChaosToolkitExports chaosToolkit, Callers callers) {
        this.chaosToolkit = chaosToolkit;
        this.experiments = experiments;
        this.callers = callers;
    }

    @POST
    @RolesAllowed(Role.EXPERIMENTER_NAME)
    @Consumes({ MediaType.APPLICATION_JSON, ApiMediaTypes.YAML, ApiMediaTypes.X_YAML, ApiMediaTypes.TEXT_YAML })
    @Operation(summary = "Create an experiment", description = "Fails with 409 when the name is taken; use PUT to replace.")
    @APIResponse(responseCode = "201", description = "Created; Location names the experiment")
    @APIResponse(responseCode = "400", description = "Invalid document: every offending field is listed in errors")
    @APIResponse(responseCode = "409", description = "An experiment with this name exists")
    public Response create(@RequestBody(content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Experiment.class)),
            @Content(mediaType = ApiMediaTypes.YAML, schema = @Schema(implementation = Experiment.class)) }) String body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        Experiment experiment = ExperimentCodec.decode(body, DocumentFormat.ofMediaType(contentType));
        SavedExperiment saved = experiments.create(callers.get(), experiment);
        return Response.created(location(saved)).entity(ExperimentRepresentation.of(saved)).build();
    }

    @PUT
    @Path("{name}")
    @RolesAllowed(Role.EXPERIMENTER_NAME)
    @Consumes({ MediaType.APPLICATION_JSON, ApiMediaTypes.YAML, ApiMediaTypes.X_YAML, ApiMediaTypes.TEXT_YAML })
    @Operation(summary = "Create or replace an experiment (apply)",
            description = "Idempotent: applying an unchanged document adds no revision.")
    @APIResponse(responseCode = "200", description = "Replaced, or unchanged")
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "400", description = "Invalid document, or metadata.name differs from the path")
    public Response apply(@PathParam("name") String name, @RequestBody(content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Experiment.class)),
            @Content(mediaType = ApiMediaTypes.YAML, schema = @Schema(implementation = Experiment.class)) }) String body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        Experiment experiment = ExperimentCodec.decode(body, DocumentFormat.ofMediaType(contentType));
        if (!experiment.name().equals(name)) {
            throw new InvalidDocumentException(List.of(new FieldError("metadata.name",
                    "must match the name in the path (" + name + "), found \"" + experiment.name() + "\"")));
        }
        Applied applied = experiments.apply(callers.get(), experiment);
        ExperimentRepresentation representation = ExperimentRepresentation.of(applied.saved());
        return applied.created()
                ? Response.created(location(applied.saved())).entity(representation).build()
                : Response.ok(representation).build();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "List experiments", description = "Sorted by name; narrowed by team and/or tag. " + PageParameters.LINK)
    @APIResponse(responseCode = "200", description = "One page", headers = @Header(name = HttpHeaders.LINK,
            description = PageParameters.LINK, schema = @Schema(type = SchemaType.STRING)))
    public RestResponse<List<ExperimentRepresentation>> list(@QueryParam("team") String team, @QueryParam("tag") String tag,
            @BeanParam PageParameters page) {
        return page.respond(experiments.list(nonBlank(team), nonBlank(tag), page.request()).map(ExperimentRepresentation::of));
    }

    @GET
    @Produces(ApiMediaTypes.YAML + ";qs=0.5") // a client that accepts anything gets JSON, as before
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "Every experiment as one multi-document bundle", description = "Sorted by name, narrowed by team and/or tag; "
            + "not paged, so that applying it back with prune never removes what a page left out.")
    public List<ExperimentRepresentation> bundle(@QueryParam("team") String team, @QueryParam("tag") String tag) {
        return experiments.list(nonBlank(team), nonBlank(tag)).stream().map(ExperimentRepresentation::of).toList();
    }

    @GET
    @Path("{name}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "Read an experiment")
    @APIResponse(responseCode = "404", description = "No such experiment")
    public ExperimentRepresentation get(@PathParam("name") String name) {
        return experiments.find(name).map(ExperimentRepresentation::of).orElseThrow(() -> notFound(name));
    }

    @DELETE
    @Path("{name}")
    @RolesAllowed(Role.EXPERIMENTER_NAME)
    @Operation(summary = "Delete an experiment", description = "Its revision history stays readable.")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "No such experiment")
    public void delete(@PathParam("name") String name) {
        experiments.delete(callers.get(), name);
    }

    @GET
    @Path("{name}/revisions")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "Revision history of an experiment", description = "Newest first: who changed what, when. " + PageParameters.LINK)
    @APIResponse(responseCode = "200", description = "One page", headers = @Header(name = HttpHeaders.LINK,
            description = PageParameters.LINK, schema = @Schema(type = SchemaType.STRING)))
    public RestResponse<List<RevisionRepresentation>> history(@PathParam("name") String name, @BeanParam PageParameters page) {
        return page.respond(experiments.history(name, page.request()).map(RevisionRepresentation::summary));
    }

    @GET
    @Path("{name}/revisions/{revision}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "One revision of an experiment, with its document")
    public RevisionRepresentation revision(@PathParam("name") String name, @PathParam("revision") int revision) {
        return experiments.revision(name, revision).map(RevisionRepresentation::full)
                .orElseThrow(() -> new ResourceNotFoundException("experiment " + name + " has no revision " + revision));
    }

    @GET
    @Path("{name}/export/chaostoolkit")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "Export an experiment as a Chaos Toolkit experiment",
            description = "chaosistio actions and rollbacks, probes and safeguards; what Chaos Toolkit cannot say is listed")
    @APIResponse(responseCode = "404", description = "No such experiment")
    public ChaosToolkitExports.Exported exportToChaosToolkit(@PathParam("name") String name) {
        return chaosToolkit.export(experiments.find(name).orElseThrow(() -> notFound(name)).experiment());
    }

    private static URI location(SavedExperiment saved) {
        return URI.create("/api/v1/experiments/" + saved.experiment().name());
    }

    private static Optional<String> nonBlank(String value) {
        return Optional.ofNullable(value).filter(v -> !v.isBlank());
    }

    private static ResourceNotFoundException notFound(String name) {
        return new ResourceNotFoundException("experiment " + name + " does not exist");
    }
}

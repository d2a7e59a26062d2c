package dev.faultline.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.core.HttpHeaders;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;
import dev.faultline.Cursor;
import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.PageRequest;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.notify.Delivery;
import dev.faultline.notify.DeliveryLog;
import dev.faultline.resilience.Finding;
import dev.faultline.resilience.FindingService;
import dev.faultline.resilience.Impact;
import dev.faultline.resilience.ImpactService;
import dev.faultline.run.JUnitReport;
import dev.faultline.run.Run;
import dev.faultline.run.RunService;
import dev.faultline.run.RunState;
import dev.faultline.security.Role;
import io.quarkus.security.Authenticated;

/** Watching and aborting runs (they are started at {@code /api/v1/experiments/{name}/runs}). */
@Path("/api/v1/runs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Runs", description = "Runs of experiments: state, verdict, rules written, timeline, samples")
public class RunResource {

    /** The query parameter the samples' cursor comes back in: they come oldest first, so a page starts after a sample. */
    static final String SAMPLES_AFTER = "after";

    private final RunService runs;
    private final DeliveryLog deliveries;
    private final Callers callers;
    private final ImpactService impacts;
    private final FindingService findings;

    RunResource(RunService runs, DeliveryLog deliveries, Callers callers, ImpactService impacts, FindingService findings) {
        this.runs = runs;
        this.deliveries = deliveries;
        this.callers = callers;
        this.impacts = impacts;
        this.findings = findings;
    }

    public record AbortRequest(String reason) {
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "List runs", description = "Newest first (by creation, then id); filter by experiment and state. " + PageParameters.LINK)
    @APIResponse(responseCode = "200", description = "One page", headers = @Header(name = HttpHeaders.LINK,
            description = PageParameters.LINK, schema = @Schema(type = SchemaType.STRING)))
    public RestResponse<List<Run>> list(@QueryParam("experiment") String experiment, @QueryParam("state") String state,
            @BeanParam PageParameters page) {
        Optional<RunState> parsed = Optional.empty();
        if (state != null) {
            try {
                parsed = Optional.of(RunState.valueOf(state.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new InvalidDocumentException(List.of(new FieldError("state", "must be one of " + List.of(RunState.values()))));
            }
        }
        return page.respond(runs.list(Optional.ofNullable(experiment), parsed, page.request()));
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "Read a run: state, verdict, reason, rules written and removed, timeline, the document it ran")
    public Run read(@PathParam("id") String id) {
        return run(id);
    }

    /** What the samples' OpenAPI description says about their Link header. */
    static final String SAMPLES_LINK = "With `limit`, a full page carries `Link: <…?after=…&limit=…>; rel=\"next\"` (RFC 8288); "
            + "the last page has none.";

    @GET
    @Path("{id}/samples")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "Guardrail and probe samples: time, value, threshold, passed", description = "Oldest first (in the order "
            + "they were stored). Without `limit` and `after`, every sample; with `after` alone, every sample after the one it names "
            + "(a client following a live run asks only for what is new); with `limit`, a page. " + SAMPLES_LINK)
    @APIResponse(responseCode = "200", description = "The samples asked for", headers = @Header(name = HttpHeaders.LINK,
            description = SAMPLES_LINK, schema = @Schema(type = SchemaType.STRING)))
    public RestResponse<List<Run.Sample>> samples(@PathParam("id") String id,
            @QueryParam(SAMPLES_AFTER) @Parameter(description = "Opaque cursor from a Link header of this list: the samples start after "
                    + "the one it names") String after,
            @QueryParam("limit") @Parameter(description = "Samples per page, 1 to 1000; without it, every sample (after `after`)",
                    schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000")) Integer limit,
            @Context UriInfo uri) {
        if (!runs.exists(id)) {
            throw notFound(id);
        }
        List<FieldError> wrong = new ArrayList<>();
        if (limit != null) {
            PageParameters.limitError(limit).ifPresent(wrong::add);
        }
        Optional<Cursor> cursor = Optional.empty();
        if (after != null && !after.isBlank()) {
            try {
                cursor = Optional.of(Cursor.decode(after));
                cursor.get().number(0);
            } catch (InvalidDocumentException e) {
                wrong.add(Cursor.invalidAt(SAMPLES_AFTER));
            }
        }
        if (!wrong.isEmpty()) {
            throw new InvalidDocumentException(wrong);
        }
        // without a limit the page holds every sample (after the cursor), so it never links on
        PageRequest page = new PageRequest(cursor, limit == null ? PageRequest.everything().limit() : limit);
        return PageParameters.respond(uri, SAMPLES_AFTER, runs.samples(id, page), page.limit());
    }

    @GET
    @Path("{id}/junit")
    @Produces(MediaType.APPLICATION_XML)
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "The run as JUnit XML", description = "One test case per probe and guardrail, and one for the verdict")
    public String junit(@PathParam("id") String id) {
        return JUnitReport.of(run(id), runs.samples(id));
    }

    @GET
    @Path("{id}/impact")
    @RolesAllowed(Role.VIEWER_NAME)
    @Tag(name = "Resilience")
    @Operation(operationId = "getRunImpact", summary = "What the run did to its namespace's traffic, from the mesh's telemetry",
            description = "Every call into the target's namespace (caller workload → destination service) with its request rate, "
                    + "error rate (with and without the injected faults) and p50/p99 latency before the run (a window as long as the "
                    + "fault, at most 5 min, before PRECHECK), during the fault and after the steady state held again, and how much "
                    + "it changed. Read from Prometheus when asked: nine queries whatever the number of edges.")
    @APIResponse(responseCode = "200", description = "The impact")
    @APIResponse(responseCode = "403", description = "No grant for the target's namespace")
    @APIResponse(responseCode = "404", description = "No such run")
    @APIResponse(responseCode = "409", description = "The run wrote no fault rule, so there is nothing to compare")
    public Impact impact(@PathParam("id") String id) {
        return impacts.impact(callers.get(), id);
    }

    @GET
    @Path("{id}/findings")
    @RolesAllowed(Role.VIEWER_NAME)
    @Tag(name = "Resilience")
    @Operation(operationId = "getRunFindings", summary = "What the run showed about how the services answer the fault, and what to change",
            description = "Drawn from the run's impact, its namespace's posture (read now) and its guardrails' samples: a delay that "
                    + "reached a caller in full for want of a timeout (missingTimeout), failures passed on for want of retries "
                    + "(missingRetries) or despite them (errorsPassedOn), errors spreading two or more calls up (errorsSpread), a "
                    + "guardrail that did not move while the calls into its service did (blindGuardrail). Each with its evidence and "
                    + "a suggestion to apply. An empty list: nothing of these was found.")
    @APIResponse(responseCode = "200", description = "The findings, in the order above")
    @APIResponse(responseCode = "403", description = "No grant for the target's namespace")
    @APIResponse(responseCode = "404", description = "No such run")
    @APIResponse(responseCode = "409", description = "The run wrote no fault rule, or one is still in the mesh")
    @APIResponse(responseCode = "503", description = "Prometheus or the cluster could not be read")
    public List<Finding> findings(@PathParam("id") String id) {
        return findings.findings(callers.get(), id);
    }

    @GET
    @Path("{id}/notifications")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "Every attempt to notify a channel about the run", description = "Oldest first: channel, event, "
            + "attempt, HTTP status, DELIVERED, RETRYING or FAILED, and why. " + PageParameters.LINK)
    @APIResponse(responseCode = "200", description = "One page", headers = @Header(name = HttpHeaders.LINK,
            description = PageParameters.LINK, schema = @Schema(type = SchemaType.STRING)))
    public RestResponse<List<Delivery>> notifications(@PathParam("id") String id, @BeanParam PageParameters page) {
        run(id);
        return page.respond(deliveries.forRun(id, page.request()));
    }

    @POST
    @Path("{id}/abort")
    @Consumes(MediaType.APPLICATION_JSON)
    @Authenticated
    @Operation(summary = "Abort a run", description = "Any signed-in user may. The rules are removed before the answer.")
    public Run abort(@PathParam("id") String id, AbortRequest request) {
        return runs.abort(callers.get(), id, request == null ? null : request.reason());
    }

    private Run run(String id) {
        return runs.find(id).orElseThrow(() -> notFound(id));
    }

    private static ResourceNotFoundException notFound(String id) {
        return new ResourceNotFoundException("run " + id + " does not exist");
    }
}

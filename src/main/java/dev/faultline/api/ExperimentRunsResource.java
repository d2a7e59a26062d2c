package dev.faultline.api;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.Durations;
import dev.faultline.run.Run;
import dev.faultline.run.RunService;
import dev.faultline.security.Role;

/** Starting a run; a pipeline starts one with {@code ?wait=true} and gates on the verdict or the JUnit report. */
@Path("/api/v1/experiments/{name}/runs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Runs")
public class ExperimentRunsResource {

    static final Duration MAX_WAIT = Duration.ofHours(2);

    private final RunService runs;
    private final Callers callers;
    private final ObjectMapper json;

    ExperimentRunsResource(RunService runs, Callers callers, ObjectMapper json) {
        this.json = json;
        this.runs = runs;
        this.callers = callers;
    }

    /** Optional (a bare {@code curl -X POST} starts a run); {@code widerBlastRadius}: consent to fault more than the named subset where the mesh cannot fault it alone. */
    public record RunRequest(Boolean widerBlastRadius) {
    }

    @POST
    @RolesAllowed(Role.EXPERIMENTER_NAME)
    @Operation(summary = "Start a run", description = "202 with the run at once; with ?wait=true the answer comes when the run "
            + "has ended (200), or when `timeout` (default 10m) has passed (202, still running).")
    @APIResponse(responseCode = "202", description = "Started (or still running after the wait)")
    @APIResponse(responseCode = "200", description = "Ended, with its verdict")
    public Response start(@PathParam("name") String name, @QueryParam("wait") @DefaultValue("false") boolean wait,
            @QueryParam("timeout") String timeout,
            @RequestBody(required = false, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = RunRequest.class))) String body) throws JsonProcessingException {
        // read by hand: a pipeline's bare POST has no body and no Content-Type, which a typed body would refuse (415)
        RunRequest request = body == null || body.isBlank() ? null : json.readValue(body, RunRequest.class);
        Duration waitFor = timeout == null ? Duration.ofMinutes(10) : Durations.parse(timeout).orElse(null);
        if (waitFor == null || waitFor.isNegative() || waitFor.compareTo(MAX_WAIT) > 0) {
            throw new InvalidDocumentException(List.of(new FieldError("timeout", "must be a duration up to 2h, such as 90s or PT10M")));
        }
        Run run = runs.start(callers.get(), name, request != null && Boolean.TRUE.equals(request.widerBlastRadius()));
        if (wait) {
            run = runs.await(run.id(), waitFor);
        }
        return Response.status(run.state().isTerminal() ? 200 : 202).location(URI.create("/api/v1/runs/" + run.id())).entity(run).build();
    }

}

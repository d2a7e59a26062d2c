package dev.faultline.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.faultline.run.PreviewService;
import dev.faultline.security.Role;

/**
 * What a run of an experiment would write into the mesh, read from the cluster now; nothing is
 * written. It reads with Faultline's own access, so it is for those who could run the experiment.
 */
@Path("/api/v1/experiments/{name}/preview")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.EXPERIMENTER_NAME)
@Tag(name = "Experiments")
public class PreviewResource {

    private final PreviewService previews;
    private final Callers callers;

    PreviewResource(PreviewService previews, Callers callers) {
        this.previews = previews;
        this.callers = callers;
    }

    @POST
    @Operation(summary = "Preview the mesh resources a run would write",
            description = "The exact VirtualService before and after (server-managed metadata left out), warnings, "
                    + "what the policy would refuse, and the PromQL of every probe and guardrail. The rule is named faultline-preview here; a run uses faultline-<run id>. "
                    + "Needs the experimenter role and a grant for the experiment's namespace.")
    @APIResponse(responseCode = "403", description = "Not an experimenter, or no grant for the experiment's namespace")
    @APIResponse(responseCode = "422", description = "The target does not resolve to one route; the detail says why")
    @APIResponse(responseCode = "503", description = "The Kubernetes API could not be read")
    public PreviewService.Preview preview(@PathParam("name") String name) {
        return previews.preview(callers.get(), name);
    }
}

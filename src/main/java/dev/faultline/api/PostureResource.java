package dev.faultline.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.faultline.mesh.Posture;
import dev.faultline.resilience.PostureService;
import dev.faultline.security.Role;

/** How a namespace's services are set up to take a fault: timeouts, retries, circuit breaking, mTLS, and the gaps. */
@Path("/api/v1/posture")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.VIEWER_NAME)
@Tag(name = "Resilience", description = "Posture of the mesh's services, impact and findings of runs")
public class PostureResource {

    private final PostureService posture;
    private final Callers callers;

    PostureResource(PostureService posture, Callers callers) {
        this.posture = posture;
        this.callers = callers;
    }

    @GET
    @Operation(operationId = "getPosture", summary = "The resilience posture of a namespace, read from the cluster now",
            description = "For every Service: the VirtualService routes that serve it with their timeout and retries, the circuit "
                    + "breaking of its DestinationRule, its mTLS mode from the PeerAuthentications (workload, namespace, mesh), "
                    + "and the gaps in words. Needs a grant for the namespace.")
    @APIResponse(responseCode = "400", description = "namespace missing or not a DNS label")
    @APIResponse(responseCode = "403", description = "No grant for the namespace")
    @APIResponse(responseCode = "503", description = "The Kubernetes API could not be read")
    public Posture get(@Parameter(description = "the namespace", required = true) @QueryParam("namespace") String namespace) {
        return posture.posture(callers.get(), namespace);
    }
}

package dev.faultline.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.faultline.ResourceNotFoundException;
import dev.faultline.playground.PlaygroundService;
import dev.faultline.security.Role;
import io.quarkus.security.Authenticated;

/** The playground's simulated Bookinfo mesh: whether it runs, and its traffic. 404 when the playground is off. */
@Path("/api/v1/playground")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Playground", description = "The built-in simulated Bookinfo mesh (faultline.playground.enabled): state and traffic")
public class PlaygroundResource {

    private final PlaygroundService playground;
    private final Callers callers;

    PlaygroundResource(PlaygroundService playground, Callers callers) {
        this.playground = playground;
        this.callers = callers;
    }

    @GET
    @Authenticated
    @Operation(operationId = "getPlayground", summary = "The playground: its namespace, its Prometheus, and the simulated traffic")
    public PlaygroundService.Status status() {
        return playground.status().orElseThrow(() -> new ResourceNotFoundException(
                "the playground is off: start Faultline with faultline.playground.enabled=true and no cluster configured"));
    }

    @PUT
    @Path("/traffic")
    @RolesAllowed(Role.EXPERIMENTER_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "changePlaygroundTraffic", summary = "Change the simulated traffic",
            description = "requestRate (requests a second entering at the gateway, 0-1000), jasonShare (0-1: the share from the "
                    + "signed-in user jason) and services.<name>.errorRate (0-1) / latencyMs (0-60000), each optional.")
    public PlaygroundService.Status change(PlaygroundService.Traffic traffic) {
        return playground.change(callers.get(), traffic);
    }
}

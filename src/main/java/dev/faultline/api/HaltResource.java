package dev.faultline.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.faultline.run.HaltService;
import dev.faultline.run.Run;
import dev.faultline.security.Role;
import io.quarkus.security.Authenticated;

/** The kill switch. Anyone signed in may press it; re-arming takes an approver. */
@Path("/api/v1/halt")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Kill switch", description = "Abort every run, remove every Faultline rule, refuse new runs until re-armed")
public class HaltResource {

    private final HaltService halt;
    private final Callers callers;

    HaltResource(HaltService halt, Callers callers) {
        this.halt = halt;
        this.callers = callers;
    }

    public record HaltRequest(String reason) {
    }

    @GET
    @Authenticated
    @Operation(summary = "Whether Faultline is halted, why, by whom and since when")
    public Run.Halt state() {
        return halt.state();
    }

    @POST
    @Authenticated
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Halt everything", description = "Aborts every live run, removes every Faultline rule in the allowed "
            + "namespaces, and refuses new runs until re-armed. Every signed-in user may.")
    public HaltService.Result halt(HaltRequest request) {
        return halt.halt(callers.get(), request == null ? null : request.reason());
    }

    @DELETE
    @RolesAllowed(Role.APPROVER_NAME)
    @Operation(summary = "Re-arm: allow runs again")
    public Run.Halt rearm() {
        return halt.rearm(callers.get());
    }
}

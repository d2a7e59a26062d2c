package dev.faultline.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.faultline.run.RunPolicy;
import dev.faultline.security.Role;

/** The blast-radius policy in force. It is set by configuration ({@code faultline.policy.*}), not through the API. */
@Path("/api/v1/policy")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.VIEWER_NAME)
@Tag(name = "Policy", description = "Namespaces runs may target and the ceilings on percentage and duration")
public class PolicyResource {

    private final RunPolicy policy;

    PolicyResource(RunPolicy policy) {
        this.policy = policy;
    }

    @GET
    @Operation(summary = "The policy in force", description = "Set by faultline.policy.allowed-namespaces, "
            + "faultline.policy.max-percentage and faultline.policy.max-duration")
    public RunPolicy.Settings read() {
        return policy.settings();
    }
}

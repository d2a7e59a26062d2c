package dev.faultline.api;

import java.util.List;
import java.util.Set;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.PolicyDeniedException;
import dev.faultline.security.Identities;
import dev.faultline.security.Passwords;
import dev.faultline.security.Role;
import dev.faultline.security.UserService;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;

/** The signed-in caller: who Faultline takes them for, and changing their own password. */
@Path("/api/v1/me")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Users")
public class MeResource {

    private final UserService users;
    private final SecurityIdentity caller;
    private final Callers callers;

    MeResource(UserService users, SecurityIdentity caller, Callers callers) {
        this.users = users;
        this.caller = caller;
        this.callers = callers;
    }

    /** {@code roles} includes the implied ones; {@code via} is {@code password} or {@code token}. */
    public record Me(String username, Set<Role> roles, List<String> namespaces, String via) {
    }

    public record PasswordChange(String currentPassword, String newPassword) {
    }

    @GET
    @Operation(summary = "Who you are signed in as, with your effective roles and namespace grants")
    public Me me() {
        return new Me(caller.getPrincipal().getName(), Role.parse(caller.getRoles()), Identities.namespaces(caller),
                Identities.via(caller));
    }

    @PUT
    @Path("password")
    @Operation(summary = "Change your password", description = "Needs your current password; not possible with an API token.")
    @APIResponse(responseCode = "204", description = "Changed")
    public void changePassword(PasswordChange change) {
        users.changePassword(callers.get(), change == null ? null : change.currentPassword(), change == null ? null : change.newPassword());
    }
}

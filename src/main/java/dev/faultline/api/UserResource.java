package dev.faultline.api;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.core.HttpHeaders;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.resteasy.reactive.RestResponse;
import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.security.Passwords;
import dev.faultline.security.Role;
import dev.faultline.security.User;
import dev.faultline.security.UserService;

/** Managing users: roles, namespace grants, disabling, password resets. Password hashes never leave the database. */
@Path("/api/v1/users")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN_NAME)
@Tag(name = "Users", description = "People who sign in, their roles and the namespaces granted to them (admins only)")
public class UserResource {

    private static final int GENERATED_PASSWORD_LENGTH = 20;

    private final UserService users;
    private final Callers callers;

    UserResource(UserService users, Callers callers) {
        this.users = users;
        this.callers = callers;
    }

    /** Without {@code password}, one is generated and returned once. */
    public record NewUser(String username, String password, List<String> roles, List<String> namespaces) {
    }

    /** A user just created; {@code password} is set only when Faultline generated it. */
    public record CreatedUser(String username, Set<Role> roles, List<String> namespaces, String password) {
    }

    /** Every field is optional; what is absent stays as it is. */
    public record UserChange(List<String> roles, List<String> namespaces, Boolean disabled, String password) {
    }

    @GET
    @Operation(summary = "List users", description = "By username. " + PageParameters.LINK)
    @APIResponse(responseCode = "200", description = "One page", headers = @Header(name = HttpHeaders.LINK,
            description = PageParameters.LINK, schema = @Schema(type = SchemaType.STRING)))
    public RestResponse<List<User>> list(@BeanParam PageParameters page) {
        return page.respond(users.list(page.request()));
    }

    @GET
    @Path("{username}")
    @Operation(summary = "Read a user")
    public User read(@PathParam("username") String username) {
        return users.find(username).orElseThrow(() -> new ResourceNotFoundException("user " + username + " does not exist"));
    }

    @POST
    @Operation(summary = "Create a user", description = "Without `password`, Faultline generates one and returns it in this answer only.")
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "409", description = "The user name is taken")
    public Response create(NewUser request) {
        if (request == null) {
            throw new InvalidDocumentException(List.of(new FieldError("(body)", "is required: {username, roles, namespaces}")));
        }
        List<FieldError> errors = new ArrayList<>();
        if (request.username() == null || !UserService.USERNAME.matcher(request.username()).matches()) {
            errors.add(new FieldError("username", UserService.USERNAME_RULE));
        }
        Optional<String> generated = Optional.ofNullable(request.password() == null
                ? Passwords.generate(GENERATED_PASSWORD_LENGTH)
                : null);
        if (request.password() != null) {
            Passwords.problem(request.password()).ifPresent(problem -> errors.add(new FieldError("password", problem)));
        }
        Set<Role> roles = roles(request.roles(), errors);
        List<String> namespaces = RequestFields.namespaces("namespaces",
                request.namespaces() == null ? List.of() : request.namespaces(), errors);
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
        User user = users.create(callers.get(), request.username(), generated.orElse(request.password()), roles, namespaces);
        return Response.created(URI.create("/api/v1/users/" + user.username()))
                .entity(new CreatedUser(user.username(), user.roles(), user.namespaces(), generated.orElse(null)))
                .build();
    }

    @PATCH
    @Path("{username}")
    @Operation(summary = "Change a user's roles, namespaces, password, or disable them",
            description = "Fields left out stay as they are. Faultline keeps at least one enabled admin.")
    @APIResponse(responseCode = "409", description = "The change would leave no enabled admin")
    public User change(@PathParam("username") String username, UserChange change) {
        if (change == null) {
            throw new InvalidDocumentException(List.of(new FieldError("(body)", "is required: any of roles, namespaces, disabled, password")));
        }
        List<FieldError> errors = new ArrayList<>();
        Optional<Set<Role>> roles = Optional.ofNullable(change.roles()).map(keys -> roles(keys, errors));
        Optional<List<String>> namespaces = Optional.ofNullable(change.namespaces())
                .map(names -> RequestFields.namespaces("namespaces", names, errors));
        if (change.password() != null) {
            Passwords.problem(change.password()).ifPresent(problem -> errors.add(new FieldError("password", problem)));
        }
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
        return users.update(callers.get(), username, roles, namespaces, Optional.ofNullable(change.disabled()), Optional.ofNullable(change.password()));
    }

    @DELETE
    @Path("{username}")
    @Operation(summary = "Delete a user and their API tokens", description = "Faultline keeps at least one enabled admin.")
    @APIResponse(responseCode = "204", description = "Deleted")
    public void delete(@PathParam("username") String username) {
        users.delete(callers.get(), username);
    }

    private static Set<Role> roles(List<String> keys, List<FieldError> errors) {
        if (keys == null || keys.isEmpty()) {
            errors.add(new FieldError("roles", UserService.NO_ROLE));
            return Set.of();
        }
        return RequestFields.roles("roles", keys, errors);
    }
}

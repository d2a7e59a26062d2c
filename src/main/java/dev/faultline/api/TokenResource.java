package dev.faultline.api;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
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
import dev.faultline.PolicyDeniedException;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.Durations;
import dev.faultline.security.ApiToken;
import dev.faultline.security.Identities;
import dev.faultline.security.Role;
import dev.faultline.security.TokenService;
import dev.faultline.security.TokenService.CreatedToken;
import io.quarkus.security.identity.SecurityIdentity;

@Path("/api/v1/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.VIEWER_NAME)
@Tag(name = "API tokens", description = "Tokens for pipelines (Authorization: Bearer), created by a user for themselves")
public class TokenResource {

    private final TokenService tokens;
    private final SecurityIdentity caller;
    private final Callers callers;
    private final Clock clock;

    TokenResource(TokenService tokens, SecurityIdentity caller, Callers callers, Clock clock) {
        this.tokens = tokens;
        this.caller = caller;
        this.callers = callers;
        this.clock = clock;
    }

    /** {@code expiresIn} (e.g. {@code 30d}, {@code P90D}) or {@code expiresAt}; roles default to the caller's. */
    public record TokenRequest(String name, List<String> roles, String expiresIn, Instant expiresAt) {
    }

    public record TokenCreated(String id, String name, String owner, Set<Role> roles, Instant expiresAt, String token) {
    }

    @POST
    @Operation(summary = "Create an API token for yourself",
            description = "The token is in the answer once and never again. Its roles must be among yours.")
    @APIResponse(responseCode = "201", description = "Created; `token` holds the secret")
    @APIResponse(responseCode = "403", description = "A role you do not have, or the request itself came with a token")
    public Response create(TokenRequest request) {
        Instant now = clock.instant();
        List<FieldError> errors = new ArrayList<>();
        String name = request == null ? null : request.name();
        if (name == null || name.isBlank() || name.length() > 100) {
            errors.add(new FieldError("name", "is required: 1 to 100 characters naming what uses the token"));
        }
        Set<Role> roles = request != null && request.roles() != null
                ? RequestFields.roles("roles", request.roles(), errors)
                : Role.parse(caller.getRoles());
        Instant expiresAt = expiry(request, now, errors);
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
        CreatedToken created = tokens.create(callers.get(), name, roles, expiresAt);
        ApiToken token = created.token();
        return Response.created(URI.create("/api/v1/tokens/" + token.id()))
                .entity(new TokenCreated(token.id(), token.name(), token.owner(), token.roles(), token.expiresAt(), created.secret()))
                .build();
    }

    @GET
    @Operation(summary = "List tokens", description = "Your own; an admin may ask for another user's with ?owner=, or all with ?owner=*. "
            + "By owner, then oldest first. " + PageParameters.LINK)
    @APIResponse(responseCode = "200", description = "One page", headers = @Header(name = HttpHeaders.LINK,
            description = PageParameters.LINK, schema = @Schema(type = SchemaType.STRING)))
    public RestResponse<List<ApiToken>> list(@QueryParam("owner") String owner, @BeanParam PageParameters page) {
        return page.respond(tokens.list(callers.get(), owner, page.request()));
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Revoke a token", description = "Your own, or any as an admin. Revoking twice is harmless.")
    @APIResponse(responseCode = "204", description = "Revoked")
    public void revoke(@PathParam("id") String id) {
        tokens.revoke(callers.get(), id);
    }

    private static Instant expiry(TokenRequest request, Instant now, List<FieldError> errors) {
        Instant expiresAt = null;
        if (request != null && request.expiresAt() != null && request.expiresIn() != null) {
            errors.add(new FieldError("expiresIn", "give expiresIn or expiresAt, not both"));
            return null;
        }
        if (request != null && request.expiresIn() != null) {
            var lifetime = Durations.parse(request.expiresIn());
            if (lifetime.isEmpty() || lifetime.get().isZero() || lifetime.get().isNegative()) {
                errors.add(new FieldError("expiresIn", "must be a duration such as 30d, 12h or P90D"));
                return null;
            }
            expiresAt = now.plus(lifetime.get());
        } else if (request != null && request.expiresAt() != null) {
            expiresAt = request.expiresAt();
        } else {
            errors.add(new FieldError("expiresIn", "is required: every token expires (at most "
                    + TokenService.MAX_LIFETIME.toDays() + " days)"));
            return null;
        }
        String field = request.expiresIn() != null ? "expiresIn" : "expiresAt";
        if (!expiresAt.isAfter(now)) {
            errors.add(new FieldError(field, "must be in the future"));
        } else if (expiresAt.isAfter(now.plus(TokenService.MAX_LIFETIME))) {
            errors.add(new FieldError(field, "must be at most " + Durations.format(TokenService.MAX_LIFETIME) + " away"));
        }
        return expiresAt;
    }
}

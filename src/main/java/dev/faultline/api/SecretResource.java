package dev.faultline.api;

import java.net.URI;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import dev.faultline.ResourceNotFoundException;
import dev.faultline.secret.Secret;
import dev.faultline.secret.SecretService;
import dev.faultline.security.Role;

@Path("/api/v1/secrets")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Secrets", description = "Write-only values that HTTP checks send in headers: {valueFrom: {secret: NAME}}")
public class SecretResource {

    private final SecretService secrets;
    private final Callers callers;

    SecretResource(SecretService secrets, Callers callers) {
        this.secrets = secrets;
        this.callers = callers;
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "List secrets", description = "By name: names, hosts, who stored them and when; never a value. "
            + PageParameters.LINK)
    @APIResponse(responseCode = "200", description = "One page", headers = @Header(name = HttpHeaders.LINK,
            description = PageParameters.LINK, schema = @Schema(type = SchemaType.STRING)))
    public RestResponse<List<Secret>> list(@BeanParam PageParameters page) {
        return page.respond(secrets.list(page.request()));
    }

    @GET
    @Path("{name}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "Read a secret", description = "Its name, hosts, who stored it and when; never its value")
    @APIResponse(responseCode = "404", description = "No such secret")
    public Secret read(@PathParam("name") String name) {
        return secrets.find(name).orElseThrow(() -> new ResourceNotFoundException("secret " + name + " does not exist"));
    }

    @PUT
    @Path("{name}")
    @RolesAllowed(Role.EXPERIMENTER_NAME)
    @Operation(summary = "Create or replace a secret",
            description = "`{value, hosts}`, always whole: the value is sent only to the hosts listed (host or host:port). "
                    + "Only the one who created a secret, or an admin, replaces it.")
    @APIResponse(responseCode = "200", description = "Replaced")
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "400", description = "A bad name, value or host, named in errors")
    @APIResponse(responseCode = "403", description = "Someone else's secret")
    public Response put(@PathParam("name") String name, SecretService.SecretRequest request) {
        SecretService.Put put = secrets.put(callers.get(), name, request);
        return (put.created() ? Response.created(URI.create("/api/v1/secrets/" + name)) : Response.ok()).entity(put.secret()).build();
    }

    @DELETE
    @Path("{name}")
    @RolesAllowed(Role.EXPERIMENTER_NAME)
    @Operation(summary = "Delete a secret", description = "Refused (409) while the current revision of an experiment uses it")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "409", description = "Experiments use it; they are named")
    public void delete(@PathParam("name") String name) {
        secrets.delete(callers.get(), name);
    }
}

package dev.faultline.api;

import java.net.URI;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
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
import dev.faultline.ResourceNotFoundException;
import dev.faultline.notify.ChannelService;
import dev.faultline.notify.ChannelService.ChannelRequest;
import dev.faultline.notify.ChannelView;
import dev.faultline.notify.Delivery;
import dev.faultline.security.Role;

/**
 * Notification channels. Everyone may see which exist (experiments name them); only admins
 * create, change, delete or test them. A channel's URL and signing secret are write-only.
 */
@Path("/api/v1/channels")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Channels", description = "Slack incoming webhooks and HTTP webhooks that hear about runs")
public class ChannelResource {

    private final ChannelService channels;
    private final Callers callers;

    ChannelResource(ChannelService channels, Callers callers) {
        this.channels = channels;
        this.callers = callers;
    }

    /** A new channel: {@code secret} (webhooks only) signs each body with HMAC-SHA256. */
    public record NewChannel(String name, String kind, String url, String secret) {
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "List channels", description = "Stored and configured ones, by name; the receiving host is shown, never the URL. "
            + PageParameters.LINK)
    @APIResponse(responseCode = "200", description = "One page", headers = @Header(name = HttpHeaders.LINK,
            description = PageParameters.LINK, schema = @Schema(type = SchemaType.STRING)))
    public RestResponse<List<ChannelView>> list(@BeanParam PageParameters page) {
        return page.respond(channels.list(page.request()));
    }

    @GET
    @Path("{name}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "Read a channel")
    public ChannelView read(@PathParam("name") String name) {
        return channels.view(name).orElseThrow(() -> missing(name));
    }

    @POST
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(summary = "Create a channel")
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "409", description = "A channel of that name exists")
    public Response create(NewChannel request) {
        String name = request == null ? null : request.name();
        channels.create(callers.get(), name, request == null ? null : new ChannelRequest(request.kind(), request.url(), request.secret()));
        return Response.created(URI.create("/api/v1/channels/" + name)).entity(read(name)).build();
    }

    @PUT
    @Path("{name}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(summary = "Create or change a channel",
            description = "On a change, an absent `url` or `secret` keeps the stored one; an empty `secret` stops signing.")
    @APIResponse(responseCode = "200", description = "Changed")
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "409", description = "The channel is declared in configuration")
    public Response apply(@PathParam("name") String name, ChannelRequest request) {
        boolean created = channels.put(callers.get(), name, request);
        return (created ? Response.created(URI.create("/api/v1/channels/" + name)) : Response.ok()).entity(read(name)).build();
    }

    @DELETE
    @Path("{name}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(summary = "Delete a channel", description = "Experiments that still name it record a failed delivery")
    @APIResponse(responseCode = "204", description = "Deleted")
    public void delete(@PathParam("name") String name) {
        channels.delete(callers.get(), name);
    }

    @POST
    @Path("{name}/test")
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Send a test message", description = "One attempt, now; the answer says how the receiver responded")
    public Delivery test(@PathParam("name") String name) {
        return channels.test(callers.get(), name);
    }

    private static ResourceNotFoundException missing(String name) {
        return new ResourceNotFoundException("channel " + name + " does not exist");
    }
}

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

import com.fasterxml.jackson.databind.JsonNode;

import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.core.HttpHeaders;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.resteasy.reactive.RestResponse;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.schedule.ScheduleService;
import dev.faultline.schedule.ScheduleView;
import dev.faultline.security.Role;

/** Experiments on a cron schedule; each fire starts one run across all replicas, or records why it did not. */
@Path("/api/v1/schedules")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Schedules", description = "Cron schedules with time zone, active window, blackouts, jitter and pause")
public class ScheduleResource {

    private final ScheduleService schedules;
    private final Callers callers;

    ScheduleResource(ScheduleService schedules, Callers callers) {
        this.schedules = schedules;
        this.callers = callers;
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "List schedules", description = "By name, with their next fires and recent history. " + PageParameters.LINK)
    @APIResponse(responseCode = "200", description = "One page", headers = @Header(name = HttpHeaders.LINK,
            description = PageParameters.LINK, schema = @Schema(type = SchemaType.STRING)))
    public RestResponse<List<ScheduleView>> list(@BeanParam PageParameters page) {
        return page.respond(schedules.list(page.request()));
    }

    @GET
    @Path("{name}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "Read a schedule: next fires (and whether each would be skipped), and every fire with its run or why it had none")
    public ScheduleView read(@PathParam("name") String name) {
        return schedules.find(name).orElseThrow(() -> missing(name));
    }

    @POST
    @RolesAllowed(Role.EXPERIMENTER_NAME)
    @Operation(summary = "Create a schedule")
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "409", description = "The name is taken")
    public Response create(JsonNode document) {
        schedules.create(callers.get(), document);
        String name = document.path("name").asText();
        return Response.created(URI.create("/api/v1/schedules/" + name)).entity(read(name)).build();
    }

    @PUT
    @Path("{name}")
    @RolesAllowed(Role.EXPERIMENTER_NAME)
    @Operation(summary = "Create or replace a schedule")
    @APIResponse(responseCode = "200", description = "Replaced")
    @APIResponse(responseCode = "201", description = "Created")
    public Response apply(@PathParam("name") String name, JsonNode document) {
        boolean created = schedules.put(callers.get(), name, document);
        return (created ? Response.created(URI.create("/api/v1/schedules/" + name)) : Response.ok()).entity(read(name)).build();
    }

    @DELETE
    @Path("{name}")
    @RolesAllowed(Role.EXPERIMENTER_NAME)
    @Operation(summary = "Delete a schedule and its history")
    @APIResponse(responseCode = "204", description = "Deleted")
    public void delete(@PathParam("name") String name) {
        schedules.delete(callers.get(), name);
    }

    @POST
    @Path("{name}/pause")
    @RolesAllowed(Role.EXPERIMENTER_NAME)
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Pause a schedule: no fires until it is resumed")
    public ScheduleView pause(@PathParam("name") String name) {
        return schedules.setPaused(callers.get(), name, true);
    }

    @POST
    @Path("{name}/resume")
    @RolesAllowed(Role.EXPERIMENTER_NAME)
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Resume a schedule; fires missed while paused are not made up")
    public ScheduleView resume(@PathParam("name") String name) {
        return schedules.setPaused(callers.get(), name, false);
    }

    private static ResourceNotFoundException missing(String name) {
        return new ResourceNotFoundException("schedule " + name + " does not exist");
    }
}

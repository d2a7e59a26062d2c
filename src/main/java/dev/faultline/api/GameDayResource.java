package dev.faultline.api;

import java.net.URI;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
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
import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.schedule.GameDayService;
import dev.faultline.schedule.GameDayView;
import dev.faultline.security.Role;
import io.quarkus.security.Authenticated;

/** Game days: planned, approved by a second person, run step by step, then findings and follow-up actions. */
@Path("/api/v1/gamedays")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Game days", description = "Planned events running experiments in order, with four-eyes approval, findings and actions")
public class GameDayResource {

    private final GameDayService gameDays;
    private final Callers callers;

    GameDayResource(GameDayService gameDays, Callers callers) {
        this.gameDays = gameDays;
        this.callers = callers;
    }

    public record NoteRequest(String text, String owner, String due) {
    }

    public record ActionChange(Boolean done) {
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "List game days", description = "By name. " + PageParameters.LINK)
    @APIResponse(responseCode = "200", description = "One page", headers = @Header(name = HttpHeaders.LINK,
            description = PageParameters.LINK, schema = @Schema(type = SchemaType.STRING)))
    public RestResponse<List<GameDayView>> list(@BeanParam PageParameters page) {
        return page.respond(gameDays.list(page.request()));
    }

    @GET
    @Path("{name}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "Read a game day: plan, state, approval, each step's runs, findings and actions")
    public GameDayView read(@PathParam("name") String name) {
        return gameDays.find(name).orElseThrow(() -> missing(name));
    }

    @POST
    @RolesAllowed(Role.EXPERIMENTER_NAME)
    @Operation(summary = "Plan a game day", description = "It starts at startAt once an approver other than its creator approved it")
    @APIResponse(responseCode = "201", description = "Planned")
    public Response create(JsonNode document) {
        gameDays.create(callers.get(), document);
        String name = document.path("name").asText();
        return Response.created(URI.create("/api/v1/gamedays/" + name)).entity(read(name)).build();
    }

    @PUT
    @Path("{name}")
    @RolesAllowed(Role.EXPERIMENTER_NAME)
    @Operation(summary = "Plan or change a game day", description = "Changing an approved game day takes its approval back")
    public Response apply(@PathParam("name") String name, JsonNode document) {
        boolean created = gameDays.put(callers.get(), name, document);
        return (created ? Response.created(URI.create("/api/v1/gamedays/" + name)) : Response.ok()).entity(read(name)).build();
    }

    @DELETE
    @Path("{name}")
    @RolesAllowed(Role.EXPERIMENTER_NAME)
    @Operation(summary = "Delete a game day that is not running")
    @APIResponse(responseCode = "204", description = "Deleted")
    public void delete(@PathParam("name") String name) {
        gameDays.delete(callers.get(), name);
    }

    @POST
    @Path("{name}/approve")
    @RolesAllowed(Role.APPROVER_NAME)
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Approve a game day", description = "Four eyes: not by whoever created or last changed it")
    @APIResponse(responseCode = "403", description = "Self-approval, or not an approver")
    public GameDayView approve(@PathParam("name") String name) {
        return gameDays.approve(callers.get(), name);
    }

    @POST
    @Path("{name}/start")
    @RolesAllowed(Role.EXPERIMENTER_NAME)
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Start an approved game day now")
    @APIResponse(responseCode = "409", description = "Not approved, or already started")
    public GameDayView start(@PathParam("name") String name) {
        return gameDays.start(callers.get(), name);
    }

    @POST
    @Path("{name}/cancel")
    @Authenticated
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Cancel a game day", description = "Before or while it runs; its live runs are aborted. Anyone signed in "
            + "may, as anyone may abort a run.")
    public GameDayView cancel(@PathParam("name") String name) {
        return gameDays.cancel(callers.get(), name);
    }

    @POST
    @Path("{name}/findings")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "Record a finding", description = "Participants, the creator and admins")
    @APIResponse(responseCode = "201", description = "Recorded")
    public Response addFinding(@PathParam("name") String name, NoteRequest request) {
        return Response.status(201).entity(gameDays.addFinding(callers.get(), name, request == null ? null : request.text())).build();
    }

    @POST
    @Path("{name}/actions")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "Record a follow-up action", description = "{text, owner, due: 2026-12-31}; participants, the creator and admins")
    @APIResponse(responseCode = "201", description = "Recorded")
    public Response addAction(@PathParam("name") String name, NoteRequest request) {
        LocalDate due = null;
        if (request != null && request.due() != null) {
            try {
                due = LocalDate.parse(request.due());
            } catch (DateTimeParseException e) {
                throw new InvalidDocumentException(List.of(new FieldError("due", "must be a date such as 2026-12-31")));
            }
        }
        return Response.status(201).entity(gameDays.addAction(callers.get(), name, request == null ? null : request.text(),
                request == null ? null : request.owner(), due)).build();
    }

    @PATCH
    @Path("{name}/actions/{id}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(summary = "Mark a follow-up action done (or not)")
    public GameDayView.Action changeAction(@PathParam("name") String name, @PathParam("id") long id, ActionChange change) {
        if (change == null || change.done() == null) {
            throw new InvalidDocumentException(List.of(new FieldError("done", "is required: true or false")));
        }
        return gameDays.setDone(callers.get(), name, id, change.done());
    }

    private static ResourceNotFoundException missing(String name) {
        return new ResourceNotFoundException("game day " + name + " does not exist");
    }
}

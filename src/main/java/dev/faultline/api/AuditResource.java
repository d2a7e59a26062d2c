package dev.faultline.api;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.core.HttpHeaders;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;
import dev.faultline.Cursor;
import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.PageRequest;
import dev.faultline.security.AuditRecord;
import dev.faultline.security.AuditRecord.Outcome;
import dev.faultline.security.AuditTrail;
import dev.faultline.security.Role;

/** Reading the audit log. There is deliberately no way to change it. */
@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN_NAME)
@Tag(name = "Audit log", description = "Every state-changing request: who, what, when, from where, and how it ended")
public class AuditResource {

    private final AuditTrail trail;
    private final Callers callers;

    AuditResource(AuditTrail trail, Callers callers) {
        this.trail = trail;
        this.callers = callers;
    }

    @GET
    @Operation(summary = "Search the audit log", description = "Newest first. Every filter given must hold; `operation` (experiment.update) and `path` "
            + "match as a prefix; `from` and `to` are ISO-8601 instants. " + PageParameters.LINK + " `before` also takes the last `id` seen.")
    @APIResponse(responseCode = "200", description = "One page", headers = @Header(name = HttpHeaders.LINK,
            description = PageParameters.LINK, schema = @Schema(type = SchemaType.STRING)))
    public RestResponse<List<AuditRecord>> search(@QueryParam("actor") String actor, @QueryParam("outcome") String outcome,
            @QueryParam("operation") String operation, @QueryParam("via") String via, @QueryParam("method") String method, @QueryParam("path") String path, @QueryParam("from") String from,
            @QueryParam("to") String to, @BeanParam PageParameters page) {
        List<FieldError> errors = new ArrayList<>();
        Optional<Outcome> parsedOutcome = Optional.empty();
        if (outcome != null) {
            try {
                parsedOutcome = Optional.of(Outcome.valueOf(outcome.toUpperCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("outcome", "must be SUCCEEDED, REJECTED, DENIED or FAILED, found \"" + outcome + "\""));
            }
        }
        Optional<Instant> fromInstant = instant("from", from, errors);
        Optional<Instant> toInstant = instant("to", to, errors);
        PageRequest request = null;
        try {
            // a numeric `before` is the last id seen, as it was before lists handed out cursors
            request = page.request(before -> before.chars().allMatch(Character::isDigit) ? Cursor.of(before) : Cursor.decode(before));
        } catch (InvalidDocumentException e) {
            errors.addAll(e.errors()); // reported with the filters' errors, all at once
        }
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
        return page.respond(trail.search(callers.get(), new AuditTrail.Query(Optional.ofNullable(actor), parsedOutcome, Optional.ofNullable(operation),
                Optional.ofNullable(via).map(value -> value.toLowerCase(java.util.Locale.ROOT)),
                Optional.ofNullable(method).map(value -> value.toUpperCase(java.util.Locale.ROOT)), Optional.ofNullable(path),
                fromInstant, toInstant, Optional.empty(), PageRequest.DEFAULT_LIMIT), request));
    }

    private static Optional<Instant> instant(String field, String value, List<FieldError> errors) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value));
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(field, "must be an ISO-8601 instant such as 2026-11-24T10:00:00Z, found \"" + value + "\""));
            return Optional.empty();
        }
    }
}

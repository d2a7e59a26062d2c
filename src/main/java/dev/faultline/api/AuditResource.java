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

import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
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

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final AuditTrail trail;
    private final Callers callers;

    AuditResource(AuditTrail trail, Callers callers) {
        this.trail = trail;
        this.callers = callers;
    }

    @GET
    @Operation(summary = "Search the audit log", description = "Newest first. Every filter given must hold; `operation` (experiment.update) and `path` "
            + "match as a prefix; `from` and `to` are ISO-8601 instants; page on with `before` = the last `id` seen.")
    public List<AuditRecord> search(@QueryParam("actor") String actor, @QueryParam("outcome") String outcome,
            @QueryParam("operation") String operation, @QueryParam("via") String via, @QueryParam("method") String method, @QueryParam("path") String path, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("before") Long before, @QueryParam("limit") Integer limit) {
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
        int pageSize = limit == null ? DEFAULT_LIMIT : limit;
        if (pageSize < 1 || pageSize > MAX_LIMIT) {
            errors.add(new FieldError("limit", "must be between 1 and " + MAX_LIMIT));
        }
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
        return trail.search(callers.get(), new AuditTrail.Query(Optional.ofNullable(actor), parsedOutcome, Optional.ofNullable(operation),
                Optional.ofNullable(via).map(value -> value.toLowerCase(java.util.Locale.ROOT)),
                Optional.ofNullable(method).map(value -> value.toUpperCase(java.util.Locale.ROOT)), Optional.ofNullable(path),
                fromInstant, toInstant, Optional.ofNullable(before), pageSize));
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

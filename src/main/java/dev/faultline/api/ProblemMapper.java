package dev.faultline.api;

import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;

import dev.faultline.DatabaseUnavailableException;
import dev.faultline.Failure;
import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;

/**
 * Turns every exception into {@code application/problem+json}. Domain exceptions map by the table
 * below; anything unexpected is logged with a reference and answered without internals.
 */
@Provider
public class ProblemMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
    /** Where the problem types live: a problem's type is this and its kind ({@code not-found}). */
    static final String TYPES = "https://faultline.dev/problems/";

    @Context
    UriInfo uri;

    @Inject
    CurrentVertxRequest request;

    /** Takes security and JSON failures from Quarkus' built-in mappers, so they answer in the same shape. */
    @ServerExceptionMapper({ io.quarkus.security.ForbiddenException.class, UnauthorizedException.class,
            JsonProcessingException.class, com.fasterxml.jackson.databind.exc.MismatchedInputException.class })
    public Response builtInFailure(Exception exception) {
        return toResponse(exception);
    }

    @Override
    public Response toResponse(Throwable exception) {
        Problem problem = switch (exception) {
            case InvalidDocumentException e -> problem(Failure.INVALID_DOCUMENT,
                    "The request has " + e.errors().size() + (e.errors().size() == 1 ? " error" : " errors")
                            + "; nothing was changed.", e.errors());
            case io.quarkus.security.ForbiddenException e -> problem(Failure.FORBIDDEN, "Your roles do not allow this action.", List.of());
            case UnauthorizedException e -> problem("unauthorized", "Unauthorized", 401,
                    "Sign in with HTTP Basic or an API token (Authorization: Bearer).", List.of());
            case com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e -> problem("invalid-body", "Invalid request body", 400,
                    "The request body does not have the expected shape.", List.of(new FieldError(jsonPath(e),
                            "is not a field here; known fields: " + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList())));
            case JsonMappingException e -> problem("invalid-body", "Invalid request body", 400,
                    "The request body does not have the expected shape.",
                    List.of(new FieldError(jsonPath(e), e.getOriginalMessage().lines().findFirst().orElse(""))));
            case JsonProcessingException e -> problem("invalid-body", "Invalid request body", 400,
                    "The request body is not valid JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""), List.of());
            case WebApplicationException e -> fromStatus(e);
            default -> switch (Failure.of(exception)) {
                case UNEXPECTED -> unexpected(exception);
                case DATABASE_UNAVAILABLE -> problem(Failure.DATABASE_UNAVAILABLE, exception instanceof DatabaseUnavailableException
                        ? exception.getMessage()
                        : "Faultline's database does not answer, so this request could not be carried out; try again when it does.", List.of());
                case Failure known -> problem(known, exception.getMessage(), List.of());
            };
        };
        noteForAudit(problem);
        Response.ResponseBuilder response = Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem);
        if (problem.status() == 401) {
            response.header("WWW-Authenticate", "Basic realm=\"Faultline\"");
        }
        return response.build();
    }

    /** Leaves the reason where {@link AuditRecorder} finds it: the detail and the first few field errors. */
    private void noteForAudit(Problem problem) {
        if (request == null || request.getCurrent() == null) {
            return;
        }
        StringBuilder detail = new StringBuilder(problem.detail() == null ? problem.title() : problem.detail());
        problem.errors().stream().limit(5).forEach(error -> detail.append(' ').append(error.path()).append(": ").append(error.message()).append(';'));
        request.getCurrent().put(AuditRecorder.DETAIL, detail.toString());
    }

    private Problem fromStatus(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() >= 500) {
            return unexpected(e);
        }
        String detail = switch (status.getStatusCode()) {
            case 404 -> "There is nothing at " + path() + ".";
            case 405 -> "This path does not accept that method.";
            case 406 -> "This resource can answer with application/json or application/yaml.";
            case 415 -> "Send the body as application/json or application/yaml.";
            default -> e.getMessage();
        };
        return problem(slug(status.getReasonPhrase()), status.getReasonPhrase(), status.getStatusCode(), detail, List.of());
    }

    private Problem unexpected(Throwable exception) {
        String reference = UUID.randomUUID().toString();
        LOG.errorf(exception, "Unexpected error answering %s (reference %s)", path(), reference);
        return problem(Failure.UNEXPECTED,
                "Faultline could not complete the request; the server log has the details under reference " + reference + ".",
                List.of());
    }

    private Problem problem(Failure failure, String detail, List<FieldError> errors) {
        return problem(failure.type(), failure.title(), failure.status(), detail, errors);
    }

    private Problem problem(String type, String title, int status, String detail, List<FieldError> errors) {
        return new Problem(TYPES + type, title, status, detail, path(), errors);
    }

    private String path() {
        return uri == null ? null : "/" + uri.getPath().replaceFirst("^/", "");
    }

    private static String jsonPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "(body)" : path.toString();
    }

    private static String slug(String phrase) {
        return phrase.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }
}

package dev.faultline.api;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.faultline.Failure;
import dev.faultline.security.Caller;
import dev.faultline.security.SignInThrottledException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers an HTTP Basic sign-in that must wait (too many failures for the name or the address): 429
 * with {@code Retry-After} in seconds and a problem+json body saying so. The refusal happens while
 * Quarkus authenticates, before any resource or {@link ProblemMapper} sees the request, so it is
 * answered here, among the router's failure handlers.
 */
@ApplicationScoped
class ThrottledSignIns {

    private final ObjectMapper json;

    ThrottledSignIns(ObjectMapper json) {
        this.json = json;
    }

    void install(@Observes Router router) {
        SignInThrottledException.answer(router, Caller.Via.API, this::answer);
    }

    private void answer(RoutingContext context, SignInThrottledException refused) {
        Failure failure = refused.failure();
        Problem problem = new Problem(ProblemMapper.TYPES + failure.type(), failure.title(), failure.status(),
                refused.getMessage() + ".", context.normalizedPath(), List.of());
        context.put(AuditRecorder.DETAIL, refused.getMessage());
        String body;
        try {
            body = json.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            context.next();
            return;
        }
        context.response().setStatusCode(failure.status())
                .putHeader(HttpHeaders.RETRY_AFTER, Long.toString(refused.retryAfterSeconds()))
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(body);
    }
}

package dev.faultline.api;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.faultline.Failure;
import dev.faultline.security.Caller;
import dev.faultline.security.SignInThrottledException;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers an HTTP Basic sign-in that must wait (too many failures for the name or the address): 429
 * with {@code Retry-After} in seconds and a problem+json body saying so. The refusal happens while
 * Quarkus authenticates, before any resource or {@link ProblemMapper} sees the request, so it is
 * answered here, where such failures arrive.
 */
@ApplicationScoped
class ThrottledSignIns {

    private final ObjectMapper json;

    ThrottledSignIns(ObjectMapper json) {
        this.json = json;
    }

    void install(@Observes Router router) {
        router.route().order(RouteConstants.ROUTE_ORDER_HEADERS).failureHandler(this::answer);
    }

    private void answer(RoutingContext context) {
        var refused = SignInThrottledException.in(context.failure(), Caller.Via.API);
        if (refused.isEmpty() || context.response().ended()) {
            context.next();
            return;
        }
        Failure failure = refused.get().failure();
        Problem problem = new Problem(ProblemMapper.TYPES + failure.type(), failure.title(), failure.status(),
                refused.get().getMessage() + ".", context.normalizedPath(), List.of());
        context.put(AuditRecorder.DETAIL, refused.get().getMessage());
        String body;
        try {
            body = json.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            context.next();
            return;
        }
        context.response().setStatusCode(failure.status())
                .putHeader(HttpHeaders.RETRY_AFTER, Long.toString(refused.get().retryAfterSeconds()))
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(body);
    }
}

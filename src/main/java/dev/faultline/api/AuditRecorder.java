package dev.faultline.api;

import java.time.Clock;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.faultline.security.AuditRecord;
import dev.faultline.security.AuditRecord.Outcome;
import dev.faultline.security.AuditTrail;
import dev.faultline.security.Caller;
import dev.faultline.security.Identities;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Writes an audit entry for every state-changing request to {@code /api/v1}, whatever its outcome —
 * including callers turned away before any resource saw them (no or wrong credentials). It sits in
 * front of authentication and records when the answer has been sent, so no endpoint can forget it.
 * A feature service that carried the request out attaches its operation and target ({@link
 * AuditTrail}), so the request leaves one entry that names both. Request bodies are never recorded:
 * they may carry passwords.
 */
@ApplicationScoped
public class AuditRecorder implements AuditTrail.RequestAudit {

    /** Routing-context key under which {@link ProblemMapper} leaves the reason of a failed request. */
    static final String DETAIL = "faultline.audit.detail";
    private static final String OPERATION = "faultline.audit.operation";
    private static final String TARGET = "faultline.audit.target";

    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private final AuditTrail trail;
    private final Clock clock;
    private final CurrentVertxRequest request;

    AuditRecorder(AuditTrail trail, Clock clock, CurrentVertxRequest request) {
        this.trail = trail;
        this.clock = clock;
        this.request = request;
    }

    void install(@Observes Router router) {
        router.route("/api/v1/*").order(RouteConstants.ROUTE_ORDER_HEADERS).handler(this::track);
    }

    @Override
    public boolean attach(String operation, String target) {
        RoutingContext context;
        try {
            context = request.getCurrent();
        } catch (jakarta.enterprise.context.ContextNotActiveException e) {
            return false;
        }
        if (context == null || !context.normalizedPath().startsWith("/api/v1/")) {
            return false;
        }
        context.put(OPERATION, operation);
        context.put(TARGET, target);
        return true;
    }

    private void track(RoutingContext context) {
        if (!READS.contains(context.request().method().name())) {
            var at = clock.instant();
            context.addEndHandler(ended -> record(context, at, ended.succeeded()));
        }
        context.next();
    }

    private void record(RoutingContext context, java.time.Instant at, boolean answered) {
        SecurityIdentity identity = context.user() instanceof QuarkusHttpUser user ? user.getSecurityIdentity() : null;
        boolean signedIn = identity != null && !identity.isAnonymous();
        int status = context.response().getStatusCode();
        Outcome outcome = answered ? Outcome.ofStatus(status) : Outcome.FAILED;
        String detail = answered ? context.get(DETAIL) : "the connection closed before the answer was sent";
        if (detail == null && status == 401) {
            detail = context.request().headers().contains(HttpHeaders.AUTHORIZATION)
                    ? "the credentials were not accepted"
                    : "no credentials";
        }
        String path = context.normalizedPath();
        String location = context.response().headers().get(HttpHeaders.LOCATION);
        String target = context.get(TARGET);
        if (target == null) {
            target = location != null && outcome == Outcome.SUCCEEDED ? java.net.URI.create(location).getPath() : path;
        }
        var record = new AuditRecord(null, at, signedIn ? identity.getPrincipal().getName() : null, Caller.Via.API.key(),
                signedIn ? Identities.via(identity) : null, context.get(OPERATION), context.request().method().name(), path, target,
                status, outcome, context.request().remoteAddress() == null ? null : context.request().remoteAddress().hostAddress(),
                outcome == Outcome.SUCCEEDED ? null : detail);
        context.vertx().executeBlocking(() -> {
            trail.append(record);
            return null;
        }, false);
    }
}

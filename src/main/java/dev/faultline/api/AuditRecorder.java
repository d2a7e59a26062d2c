package dev.faultline.api;

import java.time.Clock;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.faultline.DatabaseUnavailableException;
import dev.faultline.security.AuditLog;
import dev.faultline.security.AuditRecord;
import dev.faultline.security.AuditRecord.Outcome;
import dev.faultline.security.Identities;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Writes an audit entry for every state-changing request to {@code /api/v1}, whatever its outcome —
 * including callers turned away before any resource saw them (no or wrong credentials). It sits in
 * front of authentication and records when the answer has been sent, so no endpoint can forget it.
 * Request bodies are never recorded: they may carry passwords.
 */
@ApplicationScoped
public class AuditRecorder {

    /** Routing-context key under which {@link ProblemMapper} leaves the reason of a failed request. */
    static final String DETAIL = "faultline.audit.detail";

    private static final Logger LOG = Logger.getLogger(AuditRecorder.class);
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private final AuditLog log;
    private final Clock clock;
    /** Entries made while the database was away (bounded: beyond this many, they are logged instead). */
    private final BlockingQueue<AuditRecord> unwritten = new LinkedBlockingQueue<>(10_000);

    AuditRecorder(AuditLog log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    void install(@Observes Router router) {
        router.route("/api/v1/*").order(RouteConstants.ROUTE_ORDER_HEADERS).handler(this::track);
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
        var record = new AuditRecord(null, at, signedIn ? identity.getPrincipal().getName() : null,
                signedIn ? Identities.via(identity) : null, context.request().method().name(), path,
                location != null && outcome == Outcome.SUCCEEDED ? java.net.URI.create(location).getPath() : path, status, outcome,
                context.request().remoteAddress() == null ? null : context.request().remoteAddress().hostAddress(),
                outcome == Outcome.SUCCEEDED ? null : detail);
        context.vertx().executeBlocking(() -> {
            log.record(record);
            return null;
        }, false).onFailure(failure -> {
            if (DatabaseUnavailableException.isCause(failure) && unwritten.offer(record)) {
                LOG.warnf("The database does not answer; the audit entry of %s %s waits to be written", record.method(), record.path());
            } else {
                LOG.errorf(failure, "Could not write the audit entry %s", record);
            }
        });
    }

    /** Writes, in order, the entries that waited while the database was away; stops at the first that still cannot be written. */
    @Scheduled(every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, executeWith = Scheduled.SIMPLE)
    void writeUnwritten() {
        for (AuditRecord record; (record = unwritten.peek()) != null;) {
            try {
                log.record(record);
                unwritten.poll();
            } catch (RuntimeException e) {
                if (!DatabaseUnavailableException.isCause(e)) {
                    LOG.errorf(e, "Could not write the audit entry %s", unwritten.poll());
                }
                return;
            }
        }
    }
}

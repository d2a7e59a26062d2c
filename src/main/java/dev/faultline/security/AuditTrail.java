package dev.faultline.security;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import dev.faultline.Cursor;
import dev.faultline.PageRequest;
import dev.faultline.DatabaseUnavailableException;
import dev.faultline.Failure;
import dev.faultline.InvalidDocumentException;
import dev.faultline.security.AuditRecord.Outcome;
import io.quarkus.scheduler.Scheduled;

/**
 * How feature services record what a caller did: {@link #perform} runs the access check and the
 * action and then writes one entry named by the operation ({@code experiment.update}) and its
 * target ({@code experiment/reviews-latency}), whatever the door. An action that came through the
 * API is recorded with the request (method, path, the status answered) when its answer has been
 * sent, so a request never leaves two entries. Entries made while the database is away wait in
 * memory and are written, in order, once it is back.
 */
@ApplicationScoped
public class AuditTrail {

    /** Where the API's request recorder takes an operation over; there is none outside a request. */
    public interface RequestAudit {
        /** Attaches the operation to the request being answered; false when no API request is being answered. */
        boolean attach(String operation, String target);
    }

    /** Filters for {@link #search}; every present one must hold. {@code path} and {@code operation} match as a prefix. */
    public record Query(Optional<String> actor, Optional<Outcome> outcome, Optional<String> operation, Optional<String> via,
            Optional<String> method, Optional<String> path,
            Optional<Instant> from, Optional<Instant> to, Optional<Long> before, int limit) {

        Query page(PageRequest page) {
            return new Query(actor, outcome, operation, via, method, path, from, to, page.after().map(after -> after.number(0)), page.fetch());
        }
    }

    private static final Logger LOG = Logger.getLogger(AuditTrail.class);

    private final AuditLog log;
    private final Clock clock;
    private final Instance<RequestAudit> requests;
    /** Entries made while the database was away (bounded: beyond this many, they are logged instead). */
    private final BlockingQueue<AuditRecord> unwritten = new LinkedBlockingQueue<>(10_000);

    AuditTrail(AuditLog log, Clock clock, Instance<RequestAudit> requests) {
        this.log = log;
        this.clock = clock;
        this.requests = requests;
    }

    /** Performs {@code action} (its access check first) as {@code caller} and records it; a failure is recorded and thrown on. */
    public <T> T perform(Caller caller, String operation, String target, Supplier<T> action) {
        Instant at = clock.instant();
        T result;
        try {
            result = action.get();
        } catch (RuntimeException e) {
            record(caller, operation, target, at, e);
            throw e;
        }
        record(caller, operation, target, at, null);
        return result;
    }

    public void perform(Caller caller, String operation, String target, Runnable action) {
        perform(caller, operation, target, () -> {
            action.run();
            return null;
        });
    }

    /** The entries an admin searches for, newest first. */
    public List<AuditRecord> search(Caller caller, Query query) {
        caller.require(Role.ADMIN);
        return log.search(query);
    }

    /** A page of the entries that match {@code query} (whose own {@code before} and {@code limit} give way to {@code page}), newest first. */
    public PageRequest.Page<AuditRecord> search(Caller caller, Query query, PageRequest page) {
        return page.cut(search(caller, query.page(page)), entry -> Cursor.of(entry.id()), entry -> entry);
    }

    /** Writes {@code record}; while the database is away it waits in memory. Never throws. */
    public void append(AuditRecord record) {
        try {
            log.record(record);
        } catch (RuntimeException e) {
            if (DatabaseUnavailableException.isCause(e) && unwritten.offer(record)) {
                LOG.warnf("The database does not answer; the audit entry of %s on %s waits to be written",
                        record.operation() != null ? record.operation() : record.method(), record.target());
            } else {
                LOG.errorf(e, "Could not write the audit entry %s", record);
            }
        }
    }

    /** The detail an entry keeps of a failure: its message, and the first few field errors of an invalid document. */
    public static String detail(RuntimeException failure) {
        if (failure instanceof InvalidDocumentException invalid && !invalid.errors().isEmpty()) {
            return invalid.describe(5);
        }
        return Failure.of(failure) == Failure.UNEXPECTED ? "unexpected failure (the server log has the details)" : failure.getMessage();
    }

    private void record(Caller caller, String operation, String target, Instant at, RuntimeException failure) {
        if (caller.via() == Caller.Via.API && requests.isResolvable() && requests.get().attach(operation, target)) {
            return;
        }
        int status = failure == null ? 200 : Failure.of(failure).status();
        append(new AuditRecord(null, at, caller.name(), caller.via().key(), caller.signedInWith(), operation, null, null, target,
                status, Outcome.ofStatus(status), caller.source(), failure == null ? null : detail(failure)));
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

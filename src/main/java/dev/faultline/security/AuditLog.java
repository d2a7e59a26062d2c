package dev.faultline.security;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

import dev.faultline.security.AuditRecord.Outcome;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;

/** The append-only audit log: write an entry, search entries. Nothing edits or deletes one. */
@ApplicationScoped
public class AuditLog {

    /** Writes one entry in a transaction of its own, so it stays whatever happens to the caller's. */
    @Transactional(TxType.REQUIRES_NEW)
    public void record(AuditRecord record) {
        AuditEntry entry = new AuditEntry();
        entry.at = record.at();
        entry.actor = clip(record.actor(), 200);
        entry.via = record.via();
        entry.signedInWith = record.signedInWith();
        entry.operation = record.operation();
        entry.method = record.method();
        entry.path = clip(record.path(), 1000);
        entry.target = clip(record.target(), 1000);
        entry.status = record.status();
        entry.outcome = record.outcome().name();
        entry.source = clip(record.source(), 100);
        entry.detail = clip(record.detail(), 2000);
        entry.persist();
    }

    /** Newest first; page on with {@code before} set to the last id seen. */
    @Transactional(TxType.SUPPORTS)
    public List<AuditRecord> search(AuditTrail.Query query) {
        List<String> where = new ArrayList<>();
        Map<String, Object> parameters = new HashMap<>();
        query.actor().ifPresent(actor -> condition(where, parameters, "actor = :actor", "actor", actor));
        query.outcome().ifPresent(outcome -> condition(where, parameters, "outcome = :outcome", "outcome", outcome.name()));
        query.operation().ifPresent(operation -> condition(where, parameters, "operation like :operation escape '\\'", "operation",
                likePrefix(operation)));
        query.via().ifPresent(via -> condition(where, parameters, "via = :via", "via", via));
        query.method().ifPresent(method -> condition(where, parameters, "method = :method", "method", method));
        query.path().ifPresent(path -> condition(where, parameters, "path like :path escape '\\'", "path", likePrefix(path)));
        query.from().ifPresent(from -> condition(where, parameters, "at >= :from", "from", from));
        query.to().ifPresent(to -> condition(where, parameters, "at < :to", "to", to));
        query.before().ifPresent(before -> condition(where, parameters, "id < :before", "before", before));
        Sort newestFirst = Sort.descending("id");
        var entries = where.isEmpty()
                ? AuditEntry.<AuditEntry> findAll(newestFirst)
                : AuditEntry.<AuditEntry> find(String.join(" and ", where), newestFirst, parameters);
        return entries.page(Page.ofSize(query.limit())).list().stream().map(AuditLog::toRecord).toList();
    }

    private static void condition(List<String> where, Map<String, Object> parameters, String clause, String name,
            Object value) {
        where.add(clause);
        parameters.put(name, value);
    }

    private static AuditRecord toRecord(AuditEntry entry) {
        return new AuditRecord(entry.id, entry.at, entry.actor, entry.via, entry.signedInWith, entry.operation, entry.method,
                entry.path, entry.target,
                entry.status, Outcome.valueOf(entry.outcome), entry.source, entry.detail);
    }

    private static String likePrefix(String value) {
        return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    private static String clip(String value, int length) {
        return value == null || value.length() <= length ? value : value.substring(0, length - 1) + "…";
    }
}

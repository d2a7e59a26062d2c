package dev.faultline.notify;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

import dev.faultline.Cursor;
import dev.faultline.PageRequest;
import io.quarkus.panache.common.Sort;

/** Every delivery attempt, stored as it happens. */
@ApplicationScoped
public class DeliveryLog {

    @Transactional(TxType.REQUIRES_NEW)
    void record(String runId, Delivery delivery) {
        StoredDelivery stored = new StoredDelivery();
        stored.runId = runId;
        stored.channel = delivery.channel();
        stored.event = delivery.event();
        stored.attempt = delivery.attempt();
        stored.at = delivery.at();
        stored.status = delivery.status();
        stored.outcome = delivery.outcome().name();
        stored.detail = delivery.detail();
        stored.persist();
    }

    /** The attempts for a run, oldest first. */
    @Transactional
    public List<Delivery> forRun(String runId) {
        return forRun(runId, PageRequest.everything()).items();
    }

    /** A page of the attempts for a run, oldest first. */
    @Transactional
    public PageRequest.Page<Delivery> forRun(String runId, PageRequest page) {
        long after = page.after().map(cursor -> cursor.number(0)).orElse(0L);
        List<StoredDelivery> found = StoredDelivery.<StoredDelivery> find("runId = ?1 and id > ?2", Sort.ascending("id"), runId, after)
                .page(0, page.fetch()).list();
        return page.cut(found, d -> Cursor.of(d.id),
                d -> new Delivery(d.channel, d.event, d.attempt, d.at, d.status, Delivery.Outcome.valueOf(d.outcome), d.detail));
    }
}

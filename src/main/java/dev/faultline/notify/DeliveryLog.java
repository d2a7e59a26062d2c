package dev.faultline.notify;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

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
        return StoredDelivery.<StoredDelivery> list("runId", Sort.ascending("id"), runId).stream()
                .map(d -> new Delivery(d.channel, d.event, d.attempt, d.at, d.status, Delivery.Outcome.valueOf(d.outcome), d.detail))
                .toList();
    }
}

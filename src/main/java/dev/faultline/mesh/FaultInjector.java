package dev.faultline.mesh;

import java.time.Instant;
import java.util.List;

/**
 * Writes fault rules into a service mesh and takes them out again. Implementations must leave
 * everything they did not add exactly as they found it, and treat a rule that is already gone as
 * removed.
 */
public interface FaultInjector {

    /** What {@link #apply} would write, read from the cluster now, without writing anything. */
    FaultPlan plan(FaultRequest request);

    /** Writes the rule; on a conflicting concurrent change it re-reads and tries again. */
    RuleRef apply(FaultRequest request);

    /** Changes the percentages of a live rule in place (a ramp step). */
    void adjust(RuleRef rule, Double delayPercentage, Double abortPercentage);

    /** Takes the rule out. Idempotent: a rule already gone is reported as such, not as an error. */
    Removal remove(RuleRef rule);

    /** The names of the services in {@code namespace} that faults can target, sorted, for people picking one. */
    List<String> services(String namespace);

    /** Every rule Faultline owns in {@code namespace}, live or left behind. */
    List<OwnedRule> owned(String namespace);

    /**
     * Takes out every rule Faultline owns in {@code namespace} at once, as the kill switch does: the
     * namespace is read once and each resource holding rules written once, all in parallel. Throws
     * only when the namespace cannot be read; a resource that cannot be changed is in {@code problems}.
     */
    BulkRemoval removeAll(String namespace);

    /** What {@link #removeAll} took out (each with the moment the API server acknowledged it), and what it could not. */
    record BulkRemoval(List<Removed> removed, List<String> problems) {
    }

    record Removed(RuleRef rule, Instant at) {
    }

    enum Removal {
        REMOVED, ALREADY_GONE
    }
}

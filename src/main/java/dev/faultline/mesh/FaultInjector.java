package dev.faultline.mesh;

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

    /** Every rule Faultline owns in {@code namespace}, live or left behind. */
    List<OwnedRule> owned(String namespace);

    enum Removal {
        REMOVED, ALREADY_GONE
    }
}

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

    /**
     * Writes the rule; on a conflicting concurrent change it re-reads and tries again. {@code fence} is
     * asked before every write attempt, so a writer that lost its run never writes its rule again.
     */
    RuleRef apply(FaultRequest request, Fence fence);

    default RuleRef apply(FaultRequest request) {
        return apply(request, Fence.NONE);
    }

    /** Changes the percentages of a live rule in place (a ramp step), asking {@code fence} before every write. */
    void adjust(RuleRef rule, Double delayPercentage, Double abortPercentage, Fence fence);

    default void adjust(RuleRef rule, Double delayPercentage, Double abortPercentage) {
        adjust(rule, delayPercentage, abortPercentage, Fence.NONE);
    }

    /**
     * Watches a live rule until the returned handle is closed: {@code onDrift} is told, once and
     * within about a second, when someone else removes the rule's route or fault or deletes the
     * resource holding it. Faultline's own changes through this injector are not drift. After
     * {@code close()} returns, {@code onDrift} is not called any more.
     */
    RuleWatch watch(RuleRef rule, java.util.function.Consumer<Drift> onDrift);

    /** An open watch on a rule. */
    interface RuleWatch extends AutoCloseable {
        @Override
        void close();
    }

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

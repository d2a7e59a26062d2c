package dev.faultline.run;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.faultline.security.AuditTrail;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;

import dev.faultline.DatabaseUnavailableException;
import dev.faultline.mesh.FaultInjector;

/**
 * The kill switch. Halting removes — every live run here stops and every Faultline rule wherever
 * rules can be is taken out, whoever wrote it — without waiting for the database, which stores the
 * switch alongside (no run starts until re-armed). While the database is away the halt holds on this instance and is stored
 * when the database answers again.
 */
@ApplicationScoped
public class HaltService {

    private static final Logger LOG = Logger.getLogger(HaltService.class);

    private final RunStore store;
    private final AuditTrail audit;
    private final LiveRuns live;
    private final RuleNamespaces namespaces;
    private final Clock clock;
    /** A halt this instance could not store yet (the database was away): it holds here until stored. */
    private volatile Run.Halt unstored;
    /** The switch as this instance last saw it stored (its own halts and re-arms, every heartbeat's read), for {@link RunMetrics}. */
    private volatile boolean seenHalted;

    HaltService(RunStore store, LiveRuns live, RuleNamespaces namespaces, AuditTrail audit, Clock clock) {
        this.audit = audit;
        this.store = store;
        this.live = live;
        this.namespaces = namespaces;
        this.clock = clock;
    }

    /** The switch as stored, or as this instance holds it while the database is away. */
    public Run.Halt state() {
        Run.Halt pending = unstored;
        if (pending != null) {
            return pending;
        }
        try {
            return seen(store.halt());
        } catch (RuntimeException e) {
            throw DatabaseUnavailableException.isCause(e)
                    ? new DatabaseUnavailableException("Faultline's database does not answer, so the kill switch's state is unknown", e)
                    : e;
        }
    }

    /** What halting did: runs aborted here, rules removed from the mesh, and what could not be done. */
    public record Result(Run.Halt halt, int runsAborted, int rulesRemoved, List<String> problems) {
    }

    /** Halts everything: anyone signed in may, and it works while the database is away. */
    public Result halt(Caller caller, String reason) {
        return audit.perform(caller, "halt.engage", "halt", () -> halt(reason, caller.name()));
    }

    /** Re-arms: approvers. */
    public Run.Halt rearm(Caller caller) {
        return audit.perform(caller, "halt.rearm", "halt", () -> {
            caller.require(Role.APPROVER);
            return rearm(caller.name());
        });
    }

    private Result halt(String reason, String actor) {
        long started = System.nanoTime();
        int runs = live.liveCount();
        Run.Halt halt = new Run.Halt(true, reason, actor, clock.instant());
        unstored = halt;
        seenHalted = true;
        // stored alongside the removal, which never waits for it: other instances that see their rules go find the halt sooner
        CompletableFuture<Boolean> stored = CompletableFuture.supplyAsync(this::storePending, Thread::startVirtualThread);
        FaultInjector.BulkRemoval removal = live.haltAll("halted by " + actor + (reason == null || reason.isBlank() ? "" : ": " + reason),
                namespaces.known());
        List<String> problems = new ArrayList<>(removal.problems());
        if (!stored.join()) {
            problems.add("Faultline's database does not answer: the halt holds on this instance and is stored when the database answers");
        }
        LOG.warnf("Halted by %s (%s): %d runs aborted, %d rules removed, in %d ms%s", actor, reason, runs, removal.removed().size(),
                (System.nanoTime() - started) / 1_000_000, problems.isEmpty() ? "" : "; problems: " + problems);
        return new Result(state(), runs, removal.removed().size(), problems);
    }

    /** The switch as read from the database just now; it is remembered. */
    Run.Halt seen(Run.Halt stored) {
        seenHalted = stored.halted();
        return stored;
    }

    /** Whether the switch is engaged as far as this instance knows, from memory only. */
    boolean haltedAsKnown() {
        return unstored != null || seenHalted;
    }

    /** A halt this instance holds although the database does not know it yet, or null. */
    Run.Halt unstored() {
        return unstored;
    }

    /** Stores a halt this instance holds but could not store yet; true when there is none left to store. */
    synchronized boolean storePending() {
        Run.Halt pending = unstored;
        if (pending == null) {
            return true;
        }
        try {
            store.setHalt(true, pending.reason(), pending.changedBy(), pending.changedAt());
            unstored = null;
            return true;
        } catch (RuntimeException e) {
            if (!DatabaseUnavailableException.isCause(e)) {
                throw e;
            }
            return false;
        }
    }

    /** Re-arms; a halt this instance still held unstored is overruled by it (both under one lock, so it cannot land after). */
    private synchronized Run.Halt rearm(String actor) {
        store.setHalt(false, null, actor, clock.instant());
        unstored = null;
        return seen(store.halt());
    }
}

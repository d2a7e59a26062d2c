package dev.faultline.run;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.faultline.mesh.FaultInjector;
import dev.faultline.security.NamespacePolicy;

/**
 * The kill switch. Halting stores the switch (no run starts until re-armed), aborts every live run
 * and removes every Faultline rule in the allowed namespaces, whoever wrote it.
 */
@ApplicationScoped
public class HaltService {

    private static final Logger LOG = Logger.getLogger(HaltService.class);

    private final RunStore store;
    private final RunEngine engine;
    private final NamespacePolicy policy;

    HaltService(RunStore store, RunEngine engine, NamespacePolicy policy) {
        this.store = store;
        this.engine = engine;
        this.policy = policy;
    }

    public Run.Halt state() {
        return store.halt();
    }

    /** What halting did: runs aborted here, rules removed from the mesh, and rules that could not be removed. */
    public record Result(Run.Halt halt, int runsAborted, int rulesRemoved, List<String> problems) {
    }

    public Result halt(String reason, String actor) {
        long started = System.nanoTime();
        store.setHalt(true, reason, actor);
        int runs = engine.liveCount();
        FaultInjector.BulkRemoval removal = engine.haltAll("halted by " + actor + (reason == null || reason.isBlank() ? "" : ": " + reason),
                policy.settings().allowedNamespaces());
        LOG.warnf("Halted by %s (%s): %d runs aborted, %d rules removed, in %d ms%s", actor, reason, runs, removal.removed().size(),
                (System.nanoTime() - started) / 1_000_000, removal.problems().isEmpty() ? "" : "; problems: " + removal.problems());
        return new Result(store.halt(), runs, removal.removed().size(), removal.problems());
    }

    public Run.Halt rearm(String actor) {
        store.setHalt(false, null, actor);
        return store.halt();
    }
}

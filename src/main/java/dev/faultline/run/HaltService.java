package dev.faultline.run;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.OwnedRule;
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
    private final FaultInjector injector;
    private final NamespacePolicy policy;

    HaltService(RunStore store, RunEngine engine, FaultInjector injector, NamespacePolicy policy) {
        this.store = store;
        this.engine = engine;
        this.injector = injector;
        this.policy = policy;
    }

    public Run.Halt state() {
        return store.halt();
    }

    /** What halting did: runs aborted here, rules removed from the mesh, and rules that could not be removed. */
    public record Result(Run.Halt halt, int runsAborted, int rulesRemoved, List<String> problems) {
    }

    public Result halt(String reason, String actor) {
        store.setHalt(true, reason, actor);
        int runs = engine.liveCount();
        engine.abortAll("halted by " + actor + (reason == null || reason.isBlank() ? "" : ": " + reason));
        int removed = 0;
        List<String> problems = new ArrayList<>();
        for (String namespace : policy.settings().allowedNamespaces()) {
            try {
                for (OwnedRule rule : injector.owned(namespace)) {
                    injector.remove(rule.rule());
                    removed++;
                }
            } catch (MeshException e) {
                problems.add(namespace + ": " + e.getMessage());
            }
        }
        LOG.warnf("Halted by %s (%s): %d runs aborted, %d more rules removed", actor, reason, runs, removed);
        return new Result(store.halt(), runs, removed, problems);
    }

    public Run.Halt rearm(String actor) {
        store.setHalt(false, null, actor);
        return store.halt();
    }
}

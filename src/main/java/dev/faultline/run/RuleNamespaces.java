package dev.faultline.run;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.DatabaseUnavailableException;

/**
 * Where Faultline's rules can be: the namespaces allowed now and every namespace a rule was ever
 * written to (a namespace taken out of the policy may still hold one). The database's list is kept
 * here, so that sweeps and the kill switch know it while the database is away.
 */
@ApplicationScoped
class RuleNamespaces {

    private final RunPolicy policy;
    private final RunStore store;
    private final Set<String> written = java.util.concurrent.ConcurrentHashMap.newKeySet();

    RuleNamespaces(RunPolicy policy, RunStore store) {
        this.policy = policy;
        this.store = store;
    }

    /** Every namespace that may hold a Faultline rule, read again from the database when it answers. */
    List<String> all() {
        try {
            written.addAll(store.namespacesWithRules());
        } catch (RuntimeException e) {
            if (!DatabaseUnavailableException.isCause(e)) {
                throw e;
            }
        }
        return known();
    }

    /** Every namespace that may hold a Faultline rule, as last read: never waits for the database. */
    List<String> known() {
        Set<String> all = new LinkedHashSet<>(policy.settings().allowedNamespaces());
        all.addAll(written);
        return List.copyOf(all);
    }

    void written(String namespace) {
        written.add(namespace);
    }
}

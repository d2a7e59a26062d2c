package dev.faultline.run;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import dev.faultline.mesh.Drift;
import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.FaultPlan;
import dev.faultline.mesh.FaultRequest;
import dev.faultline.mesh.Fence;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.OwnedRule;
import dev.faultline.mesh.RuleRef;
import dev.faultline.mesh.istio.IstioFaultInjector;

/**
 * The real Istio injector with the troubles of a real network switched on by a test: an apply
 * whose write reached the API server but whose answer was lost, and removals that fail for a while.
 * Enabled only by the profiles that ask for it.
 */
@Alternative
@ApplicationScoped
public class TroubledInjector implements FaultInjector {

    /** When set, every apply writes its rule and then fails as if the answer never came. */
    static volatile boolean loseApplyAnswers;
    /** How many of the next removals fail (before touching the cluster). */
    static final AtomicInteger failingRemovals = new AtomicInteger();

    private final IstioFaultInjector real;

    TroubledInjector(IstioFaultInjector real) {
        this.real = real;
    }

    static void reset() {
        loseApplyAnswers = false;
        failingRemovals.set(0);
    }

    @Override
    public List<String> services(String namespace) {
        return real.services(namespace);
    }

    @Override
    public FaultPlan plan(FaultRequest request) {
        return real.plan(request);
    }

    @Override
    public RuleRef apply(FaultRequest request, Fence fence) {
        RuleRef rule = real.apply(request, fence);
        if (loseApplyAnswers) {
            throw new MeshException(MeshException.Reason.UNAVAILABLE, "the API server did not answer in time (the answer was lost)");
        }
        return rule;
    }

    @Override
    public void adjust(RuleRef rule, Double delayPercentage, Double abortPercentage, Fence fence) {
        real.adjust(rule, delayPercentage, abortPercentage, fence);
    }

    @Override
    public RuleWatch watch(RuleRef rule, Consumer<Drift> onDrift) {
        return real.watch(rule, onDrift);
    }

    @Override
    public Removal remove(RuleRef rule) {
        if (failingRemovals.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new MeshException(MeshException.Reason.UNAVAILABLE, "the API server is unavailable (test)");
        }
        return real.remove(rule);
    }

    @Override
    public List<OwnedRule> owned(String namespace) {
        return real.owned(namespace);
    }

    @Override
    public BulkRemoval removeAll(String namespace) {
        return real.removeAll(namespace);
    }
}

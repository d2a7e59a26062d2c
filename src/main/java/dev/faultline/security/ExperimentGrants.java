package dev.faultline.security;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.experiment.ExperimentService;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Whether a caller may act on something that runs stored experiments (a schedule, a game day):
 * only with a grant for each experiment's namespace. Experiments that do not exist yet are left to
 * the run's own checks, which refuse them.
 */
@ApplicationScoped
public class ExperimentGrants {

    private final ExperimentService experiments;
    private final NamespacePolicy policy;

    ExperimentGrants(ExperimentService experiments, NamespacePolicy policy) {
        this.experiments = experiments;
        this.policy = policy;
    }

    /** Fails unless {@code caller} was granted the namespace of every named experiment. */
    public void require(SecurityIdentity caller, Iterable<String> experimentNames) {
        for (String experiment : experimentNames) {
            experiments.find(experiment).ifPresent(saved -> policy.requireGrant(caller, saved.experiment().spec().target().namespace()));
        }
    }
}

package dev.faultline.run;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.faultline.FieldError;
import dev.faultline.experiment.StoreRule;
import dev.faultline.experiment.spec.CheckBudget;
import dev.faultline.experiment.spec.Experiment;

/**
 * The {@link CheckBudget} of an experiment when it is stored, a guardrail without an interval counted at the
 * interval a run gives it ({@code faultline.guardrails.default-interval}). Applied when a document is stored,
 * not when one is read: an experiment stored before the budget is still listed, shown and run.
 */
@ApplicationScoped
class CheckLimits implements StoreRule {

    private final Duration defaultInterval;

    CheckLimits(@ConfigProperty(name = "faultline.guardrails.default-interval", defaultValue = "PT1S") Duration defaultInterval) {
        this.defaultInterval = defaultInterval;
    }

    @Override
    public List<FieldError> violations(Experiment experiment) {
        return CheckBudget.violations(experiment.spec(), defaultInterval);
    }
}

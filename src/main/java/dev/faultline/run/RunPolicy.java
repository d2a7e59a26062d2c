package dev.faultline.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.FieldError;
import dev.faultline.Durations;
import dev.faultline.experiment.spec.ExperimentSpec;
import dev.faultline.experiment.spec.Fault;

/**
 * Where and how hard runs may hit, as deployed: a run needs its namespace in {@code
 * faultline.policy.allowed-namespaces} (none allowed by default) and its faults and duration within
 * the ceilings. (Which namespaces a user may author and run in is their grant: {@code Caller}.)
 */
@ApplicationScoped
public class RunPolicy {

    private final PolicyConfig config;

    RunPolicy(PolicyConfig config) {
        this.config = config;
    }

    /** The policy as deployed, for callers to see before they try. */
    public record Settings(List<String> allowedNamespaces, double maxPercentage, String maxDuration) {
    }

    public Settings settings() {
        return new Settings(allowedNamespaces(), config.maxPercentage(), Durations.format(config.maxDuration()));
    }

    public boolean isAllowed(String namespace) {
        return allowedNamespaces().contains(namespace);
    }

    /** Everything in {@code spec} that the policy forbids a run to do, each at its field path; empty when it may run. */
    public List<FieldError> violations(ExperimentSpec spec) {
        List<FieldError> violations = new ArrayList<>();
        String namespace = spec.target() == null ? null : spec.target().namespace();
        if (namespace != null && !isAllowed(namespace)) {
            violations.add(new FieldError("spec.target.namespace", allowedNamespaces().isEmpty()
                    ? "namespace " + namespace + " is not allowed: faultline.policy.allowed-namespaces is empty, so every run is refused"
                    : "namespace " + namespace + " is not in faultline.policy.allowed-namespaces " + allowedNamespaces()));
        }
        for (int i = 0; i < spec.faults().size(); i++) {
            Fault fault = spec.faults().get(i);
            if (fault.percentage() > config.maxPercentage()) {
                violations.add(new FieldError("spec.faults[" + i + "]." + (fault.delay() != null ? "delay" : "abort") + ".percentage",
                        percent(fault.percentage()) + "% is above the ceiling faultline.policy.max-percentage of "
                                + percent(config.maxPercentage()) + "%"));
            }
        }
        if (spec.duration() != null && spec.duration().compareTo(config.maxDuration()) > 0) {
            violations.add(new FieldError("spec.duration", Durations.format(spec.duration())
                    + " is longer than the ceiling faultline.policy.max-duration of " + Durations.format(config.maxDuration())));
        }
        return violations;
    }

    private List<String> allowedNamespaces() {
        return config.allowedNamespaces().orElse(List.of()).stream().map(String::trim).filter(name -> !name.isEmpty()).toList();
    }

    private static String percent(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.format(Locale.ROOT, "%s", value);
    }
}

package dev.faultline.experiment.spec;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.faultline.Durations;
import dev.faultline.FieldError;

/**
 * How much checking one run may ask for: a bounded number of guardrails and steady-state probes, and a
 * bounded number of guardrail checks per second (the sum of 1/interval), so that one document cannot
 * load Prometheus, the mesh and the database without limit. A rule for storing a document, not of its
 * format: a document stored before the budget existed is still read, listed and run.
 */
public final class CheckBudget {

    public static final int MAX_GUARDRAILS = 20;
    public static final int MAX_PROBES = 20;
    public static final int MAX_CHECKS_PER_SECOND = 20;

    private CheckBudget() {
    }

    /**
     * What {@code spec} asks beyond the budget, at {@code spec.steadyState.probes} and {@code spec.guardrails};
     * a guardrail without an interval counts at {@code unsetInterval} (faultline.guardrails.default-interval).
     */
    public static List<FieldError> violations(ExperimentSpec spec, Duration unsetInterval) {
        List<FieldError> errors = new ArrayList<>();
        List<Probe> probes = spec.steadyState() == null ? null : spec.steadyState().probes();
        if (probes != null && probes.size() > MAX_PROBES) {
            errors.add(new FieldError("spec.steadyState.probes", "must have at most " + MAX_PROBES + " probes, found " + probes.size()));
        }
        List<Guardrail> guardrails = spec.guardrails();
        if (guardrails == null || guardrails.isEmpty()) {
            return errors;
        }
        if (guardrails.size() > MAX_GUARDRAILS) {
            errors.add(new FieldError("spec.guardrails", "must have at most " + MAX_GUARDRAILS + " guardrails, found " + guardrails.size()));
            return errors;
        }
        List<Duration> intervals = guardrails.stream().map(g -> g.interval() == null ? unsetInterval : g.interval()).sorted().toList();
        BigDecimal perSecond = intervals.stream().map(CheckBudget::checksPerSecond).reduce(BigDecimal.ZERO, BigDecimal::add);
        if (perSecond.compareTo(BigDecimal.valueOf(MAX_CHECKS_PER_SECOND)) > 0) {
            errors.add(new FieldError("spec.guardrails", describe(intervals) + " make " + perSecond.stripTrailingZeros().toPlainString()
                    + " checks/s; at most " + MAX_CHECKS_PER_SECOND + ": raise interval or drop guardrails"));
        }
        return errors;
    }

    private static BigDecimal checksPerSecond(Duration interval) {
        return BigDecimal.valueOf(1000).divide(BigDecimal.valueOf(Math.max(1, interval.toMillis())), 2, RoundingMode.HALF_UP);
    }

    /** "20 guardrails at PT0.5S", or "3 guardrails at intervals from PT0.1S to PT1S" when they differ ({@code intervals} sorted). */
    private static String describe(List<Duration> intervals) {
        String at = intervals.getFirst().equals(intervals.getLast()) ? " at " + Durations.format(intervals.getFirst())
                : " at intervals from " + Durations.format(intervals.getFirst()) + " to " + Durations.format(intervals.getLast());
        return intervals.size() + " guardrails" + at;
    }
}

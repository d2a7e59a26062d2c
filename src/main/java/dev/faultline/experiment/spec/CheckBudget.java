package dev.faultline.experiment.spec;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

import dev.faultline.Durations;
import dev.faultline.FieldReader;

/**
 * How much checking one run may ask for: a bounded number of guardrails and steady-state probes, and a
 * bounded number of guardrail checks per second (the sum of 1/interval), so that one document cannot
 * load Prometheus, the mesh and the database without limit.
 */
final class CheckBudget {

    static final int MAX_GUARDRAILS = 20;
    static final int MAX_PROBES = 20;
    static final int MAX_CHECKS_PER_SECOND = 20;
    /** What a guardrail without an interval is counted at: the shipped faultline.guardrails.default-interval. */
    static final Duration UNSET_INTERVAL = Duration.ofSeconds(1);

    private CheckBudget() {
    }

    static void checkProbes(FieldReader steadyState, List<Probe> probes) {
        if (probes != null && probes.size() > MAX_PROBES) {
            steadyState.error("probes", "must have at most " + MAX_PROBES + " probes, found " + probes.size());
        }
    }

    static void checkGuardrails(FieldReader spec, List<Guardrail> guardrails) {
        if (guardrails == null) {
            return;
        }
        if (guardrails.size() > MAX_GUARDRAILS) {
            spec.error("guardrails", "must have at most " + MAX_GUARDRAILS + " guardrails, found " + guardrails.size());
            return;
        }
        BigDecimal perSecond = guardrails.stream().map(CheckBudget::checksPerSecond).reduce(BigDecimal.ZERO, BigDecimal::add);
        if (perSecond.compareTo(BigDecimal.valueOf(MAX_CHECKS_PER_SECOND)) > 0) {
            spec.error("guardrails", describe(guardrails) + " make " + perSecond.stripTrailingZeros().toPlainString()
                    + " checks/s; at most " + MAX_CHECKS_PER_SECOND + ": raise interval or drop guardrails");
        }
    }

    private static BigDecimal checksPerSecond(Guardrail guardrail) {
        Duration interval = guardrail == null || guardrail.interval() == null ? UNSET_INTERVAL : guardrail.interval();
        return BigDecimal.valueOf(1000).divide(BigDecimal.valueOf(interval.toMillis()), 2, java.math.RoundingMode.HALF_UP);
    }

    /** "20 guardrails at PT0.5S", or "3 guardrails at intervals from PT0.1S to PT1S" when they differ. */
    private static String describe(List<Guardrail> guardrails) {
        List<Duration> intervals = guardrails.stream()
                .map(g -> g == null || g.interval() == null ? UNSET_INTERVAL : g.interval()).sorted().toList();
        String at = intervals.getFirst().equals(intervals.getLast()) ? " at " + Durations.format(intervals.getFirst())
                : " at intervals from " + Durations.format(intervals.getFirst()) + " to " + Durations.format(intervals.getLast());
        return guardrails.size() + " guardrails" + at;
    }
}

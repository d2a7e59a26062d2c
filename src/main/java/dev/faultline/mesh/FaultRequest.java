package dev.faultline.mesh;

import java.time.Instant;
import java.util.regex.Pattern;

import dev.faultline.experiment.spec.Fault;
import dev.faultline.experiment.spec.Target;

/**
 * One run's faults on one target.
 *
 * @param runId names the rule ({@code faultline-<runId>}); a DNS label of at most 40 characters
 * @param delay the delay fault, or null
 * @param abort the abort fault, or null
 * @param expiresAt when the rule must be gone even if Faultline is not there to remove it
 * @param widerBlastRadius the user's consent to fault more than the subset they named, where the mesh
 *        cannot fault that subset alone
 * @param epoch the ownership epoch of the instance writing the rule, written into the rule's
 *        {@code faultline.dev/epoch} annotation
 */
public record FaultRequest(String runId, Target target, Fault.Delay delay, Fault.Abort abort, Instant expiresAt,
        boolean widerBlastRadius, long epoch) {

    /** A request of the first epoch. */
    public FaultRequest(String runId, Target target, Fault.Delay delay, Fault.Abort abort, Instant expiresAt, boolean widerBlastRadius) {
        this(runId, target, delay, abort, expiresAt, widerBlastRadius, 1);
    }

    private static final Pattern RUN_ID = Pattern.compile("[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?");

    public FaultRequest {
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("run id must be a DNS label of at most 40 characters: " + runId);
        }
        if (delay == null && abort == null) {
            throw new IllegalArgumentException("a fault request needs a delay, an abort or both");
        }
    }

    /** Time a rule outlives the run's planned end before anyone may remove it as left behind. */
    public static final java.time.Duration EXPIRY_MARGIN = java.time.Duration.ofMinutes(5);

    /** The request for a run of {@code spec} starting at {@code now}: its one delay and one abort, expiring after its duration. */
    public static FaultRequest of(String runId, long epoch, dev.faultline.experiment.spec.ExperimentSpec spec, Instant now,
            boolean widerBlastRadius) {
        Fault.Delay delay = spec.faults().stream().map(Fault::delay).filter(java.util.Objects::nonNull).findFirst().orElse(null);
        Fault.Abort abort = spec.faults().stream().map(Fault::abort).filter(java.util.Objects::nonNull).findFirst().orElse(null);
        return new FaultRequest(runId, spec.target(), delay, abort, now.plus(spec.duration()).plus(EXPIRY_MARGIN), widerBlastRadius,
                epoch);
    }

    /** The same faults with their percentages capped at {@code percentage} (a ramp step). */
    public FaultRequest cappedAt(double percentage) {
        return new FaultRequest(runId, target,
                delay == null ? null : new Fault.Delay(delay.fixedDelay(), Math.min(percentage, delay.percentage())),
                abort == null ? null : new Fault.Abort(abort.httpStatus(), abort.grpcStatus(), Math.min(percentage, abort.percentage())),
                expiresAt, widerBlastRadius, epoch);
    }

    public Double delayPercentage() {
        return delay == null ? null : delay.percentage();
    }

    public Double abortPercentage() {
        return abort == null ? null : abort.percentage();
    }

    public String ruleName() {
        return RuleRef.PREFIX + runId;
    }
}

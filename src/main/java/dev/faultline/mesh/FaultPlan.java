package dev.faultline.mesh;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * What applying a fault request would do: the one resource it changes (its whole content before and
 * after; {@code before} is null when the resource would be created), and what the user should know.
 *
 * @param warnings everything the user should know, in words, including the {@code wider} and {@code refusals} ones
 * @param wider what the fault would reach beyond what the target names (other subsets, every version), each in
 *        words; {@link FaultInjector#apply} refuses such a plan without {@link FaultRequest#widerBlastRadius()}
 * @param refusals why the rule must not be written at all, even with consent: the mesh would ignore it (an
 *        ambient namespace without a waypoint), route the host another way (a Gateway API HTTPRoute), or
 *        apply it to other requests than declared; {@link FaultInjector#apply} refuses such a plan
 */
public record FaultPlan(RuleRef rule, Action action, JsonNode before, JsonNode after, List<String> warnings,
        List<String> wider, List<String> refusals) {

    public FaultPlan {
        warnings = List.copyOf(warnings);
        wider = List.copyOf(wider);
        refusals = List.copyOf(refusals);
    }

    /** A plan for a rule that is already in place. */
    public static FaultPlan inPlace(RuleRef rule, JsonNode resource) {
        return new FaultPlan(rule, Action.NONE, resource, resource, List.of("the rule is already in place"), List.of(), List.of());
    }

    /** True when the fault would reach more than the target names, so a run must consent to that. */
    public boolean needsConsent() {
        return !wider.isEmpty();
    }

    /** What applying the plan does to its resource: create it, update it, or nothing (the rule is in place already). */
    public enum Action {
        CREATE, UPDATE, NONE;

        @JsonValue
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}

package dev.faultline.mesh;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * What applying a fault request would do: the one resource it changes (its whole content before and
 * after; {@code before} is null when the resource would be created), and what the user should know.
 *
 * @param needsConsent true when the fault would reach more than the target asked for (weighted or
 *        unrouted subsets); {@link FaultInjector#apply} refuses such a plan without
 *        {@link FaultRequest#widerBlastRadius()}
 */
public record FaultPlan(RuleRef rule, Action action, JsonNode before, JsonNode after, List<String> warnings,
        boolean needsConsent) {

    /** What applying the plan does to its resource: create it, update it, or nothing (the rule is in place already). */
    public enum Action {
        CREATE, UPDATE, NONE;

        @JsonValue
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}

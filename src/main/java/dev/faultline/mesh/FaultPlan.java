package dev.faultline.mesh;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What applying a fault request would do: the one resource it changes (its whole content before and
 * after; {@code before} is null when the resource would be created), and what the user should know.
 *
 * @param needsConsent true when the fault would reach more than the target asked for (weighted or
 *        unrouted subsets); {@link FaultInjector#apply} refuses such a plan without
 *        {@link FaultRequest#widerBlastRadius()}
 */
public record FaultPlan(RuleRef rule, String action, JsonNode before, JsonNode after, List<String> warnings,
        boolean needsConsent) {

    public static final String CREATE = "create";
    public static final String UPDATE = "update";
}

package dev.faultline.interop;

import static dev.faultline.interop.ChaosToolkitImporter.ISTIO_ACTIONS;

import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.Durations;

/**
 * The experiment's method: its chaosistio actions become Faultline's faults ({@link IstioFaults}),
 * their pauses (and those of later activities) its duration; other activities do not map.
 */
final class MethodMapping {

    private final Activities activities;
    private final IstioFaults faults;
    private final Substitutions substitutions;
    private final ImportFindings findings;
    private double seconds;

    MethodMapping(Activities activities, IstioFaults faults, Substitutions substitutions, ImportFindings findings) {
        this.activities = activities;
        this.faults = faults;
        this.substitutions = substitutions;
        this.findings = findings;
    }

    /** Maps the {@code method} of {@code source}: faults into {@link IstioFaults}, pauses into {@link #duration()}. */
    void map(JsonNode source) {
        JsonNode method = source.get("method");
        if (method == null || !method.isArray()) {
            findings.error("method", "is required: a list of actions and probes (Chaos Toolkit requires it too)");
            return;
        }
        for (int i = 0; i < method.size(); i++) {
            String path = "method[" + i + "]";
            Optional<JsonNode> found = activities.resolve(method.get(i), path);
            if (found.isEmpty()) {
                continue;
            }
            JsonNode activity = found.get();
            double before = pause(activity, "before");
            double after = pause(activity, "after");
            if (Activities.python(activity, ISTIO_ACTIONS, "add_delay_fault", "add_abort_fault", "set_fault")
                    && "action".equals(activity.path("type").asText())) {
                if (faults.isEmpty() && before > 0) {
                    findings.unmapped(path + ".pauses.before", "Faultline injects right after its pre-check");
                } else {
                    seconds += before;
                }
                faults.add(activity, path);
                seconds += after;
                continue;
            }
            String reason = activity.path("provider").path("type").asText().equals("process")
                    ? "runs the program " + activity.path("provider").path("path").asText() + "; Faultline never runs programs"
                    : activity.path("provider").path("type").asText().equals("http")
                            ? "calls " + activity.path("provider").path("url").asText() + "; Faultline's method is its mesh faults"
                            : "probe".equals(activity.path("type").asText())
                                    ? "a probe in the method records a value without judging it; Faultline judges with guardrails"
                                    : "calls " + Activities.function(activity) + "; Faultline injects faults only through the mesh (Istio delay and abort)";
            if (!faults.isEmpty() && before + after > 0) {
                seconds += before + after;
                reason += "; its pauses (" + number(before + after) + " s) count toward spec.duration";
            }
            findings.unmapped(path, reason);
        }
    }

    private double pause(JsonNode activity, String when) {
        JsonNode pause = activity.path("pauses").get(when);
        if (pause == null) {
            return 0;
        }
        if (pause.isNumber()) {
            return pause.asDouble();
        }
        JsonNode value = substitutions.apply(pause, "pauses." + when, findings.unmapped());
        return value.isNumber() ? value.asDouble() : value.isTextual() && value.asText().matches("\\d+(\\.\\d+)?") ? Double.parseDouble(value.asText()) : 0;
    }

    /** spec.duration: how long the faults are held, as the pauses say; empty when they say nothing. */
    Optional<String> duration() {
        return seconds > 0 ? Optional.of(Durations.format(Duration.ofMillis(Math.round(seconds * 1000)))) : Optional.empty();
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}

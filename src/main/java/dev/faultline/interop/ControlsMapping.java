package dev.faultline.interop;

import static dev.faultline.interop.ChaosToolkitImporter.SAFEGUARDS;

import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.Durations;

/** The experiment's controls: the probes of chaosaddons' safeguards become Faultline's guardrails; other controls do not map. */
final class ControlsMapping {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Activities activities;
    private final Tolerances tolerances;
    private final ProbeMapping probes;
    private final ImportFindings findings;

    ControlsMapping(Activities activities, Tolerances tolerances, ProbeMapping probes, ImportFindings findings) {
        this.activities = activities;
        this.tolerances = tolerances;
        this.probes = probes;
        this.findings = findings;
    }

    /** Faultline's guardrails for the {@code controls} of {@code source}; empty when none map. */
    ArrayNode guardrails(JsonNode source) {
        ArrayNode guardrails = NODES.arrayNode();
        JsonNode controls = source.get("controls");
        if (controls == null) {
            return guardrails;
        }
        if (!controls.isArray()) {
            findings.error("controls", "must be a list of controls");
            return guardrails;
        }
        for (int i = 0; i < controls.size(); i++) {
            String path = "controls[" + i + "]";
            JsonNode control = controls.get(i);
            if (!control.isObject() || !control.path("name").isTextual() || !control.path("provider").isObject()) {
                findings.error(path, "must be a control: an object with name and provider");
                continue;
            }
            if (!SAFEGUARDS.equals(control.path("provider").path("module").asText())) {
                findings.unmapped(path, "the control " + control.path("provider").path("module").asText()
                        + " has no Faultline equivalent (Faultline's guardrails come from safeguards)");
                continue;
            }
            JsonNode arguments = control.path("provider").path("arguments");
            if (arguments.has("interrupt_after_activity")) {
                findings.unmapped(path + ".provider.arguments.interrupt_after_activity",
                        "Faultline aborts at once when a guardrail fails");
            }
            JsonNode safeguards = arguments.path("probes");
            if (!safeguards.isArray()) {
                findings.error(path + ".provider.arguments.probes", "is required: the list of safeguard probes");
                continue;
            }
            for (int j = 0; j < safeguards.size(); j++) {
                String at = path + ".provider.arguments.probes[" + j + "]";
                safeguard(safeguards.get(j), at).ifPresent(g -> guardrails.add(probes.unique(g, guardrails, at)));
            }
        }
        return guardrails;
    }

    private Optional<ObjectNode> safeguard(JsonNode entry, String path) {
        if (entry.isObject() && !entry.has("tolerance")) {
            findings.error(path + ".tolerance", "is required for a safeguard probe");
            return Optional.empty();
        }
        Optional<JsonNode> probe = activities.resolve(entry, path);
        if (probe.isEmpty() || !tolerances.valid(entry.get("tolerance"), path + ".tolerance")) {
            return Optional.empty();
        }
        Optional<ObjectNode> guardrail = probes.check(probe.get(), entry.get("tolerance"), path);
        guardrail.ifPresent(g -> {
            JsonNode frequency = entry.get("frequency");
            if (frequency != null && frequency.isNumber() && frequency.asDouble() > 0) {
                g.put("interval", Durations.format(Duration.ofMillis(Math.round(frequency.asDouble() * 1000))));
            } else {
                findings.unmapped(path + (entry.has("background") ? ".background" : ""), "ran once in Chaos Toolkit; "
                        + "Faultline checks a guardrail all the time faults are live, every faultline.guardrails.default-interval");
            }
        });
        return guardrail;
    }
}

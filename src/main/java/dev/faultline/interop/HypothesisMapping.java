package dev.faultline.interop;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The steady-state hypothesis as the probes of Faultline's steady state. */
final class HypothesisMapping {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Activities activities;
    private final Tolerances tolerances;
    private final ProbeMapping probes;
    private final ImportFindings findings;

    HypothesisMapping(Activities activities, Tolerances tolerances, ProbeMapping probes, ImportFindings findings) {
        this.activities = activities;
        this.tolerances = tolerances;
        this.probes = probes;
        this.findings = findings;
    }

    /** Faultline's steady-state probes for the {@code steady-state-hypothesis} of {@code source}; empty when none map. */
    ArrayNode steadyState(JsonNode source) {
        ArrayNode steadyState = NODES.arrayNode();
        JsonNode hypothesis = source.get("steady-state-hypothesis");
        if (hypothesis == null) {
            return steadyState;
        }
        String path = "steady-state-hypothesis";
        if (!hypothesis.isObject()) {
            findings.error(path, "must be an object with a title and probes");
            return steadyState;
        }
        if (!hypothesis.path("title").isTextual() || hypothesis.path("title").asText().isBlank()) {
            findings.error(path + ".title", "is required: a non-empty string (Chaos Toolkit requires it too)");
        } else {
            findings.unmapped(path + ".title", "Faultline names each probe, not the hypothesis");
        }
        if (hypothesis.has("controls")) {
            findings.unmapped(path + ".controls", "controls of the hypothesis have no Faultline equivalent");
        }
        JsonNode entries = hypothesis.get("probes");
        if (entries == null) {
            return steadyState;
        }
        if (!entries.isArray()) {
            findings.error(path + ".probes", "must be a list of probes");
            return steadyState;
        }
        for (int i = 0; i < entries.size(); i++) {
            String at = path + ".probes[" + i + "]";
            JsonNode entry = entries.get(i);
            if (entry.isObject() && !entry.has("tolerance")) {
                findings.error(at + ".tolerance", "is required for a probe of the hypothesis");
                continue;
            }
            Optional<JsonNode> probe = activities.resolve(entry, at);
            if (probe.isEmpty() || !tolerances.valid(entry.get("tolerance"), at + ".tolerance")) {
                continue;
            }
            if (!"probe".equals(probe.get().path("type").asText())) {
                findings.unmapped(at, "is an action; the hypothesis of Faultline holds probes only");
                continue;
            }
            Optional<ObjectNode> mapped = probes.check(probe.get(), entry.get("tolerance"), at);
            mapped.ifPresent(p -> steadyState.add(probes.unique(p, steadyState, at)));
            if (mapped.isPresent() && probe.get().has("pauses")) {
                findings.unmapped(at + ".pauses", "Faultline does not pause between the probes of the steady state");
            }
        }
        return steadyState;
    }
}

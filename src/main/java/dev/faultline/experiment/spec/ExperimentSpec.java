package dev.faultline.experiment.spec;

import dev.faultline.Durations;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * What to break, for how long, and what must stay true.
 *
 * @param notifications the channels told about the run ({@code notify} in the document)
 * @param rampUp optional steps that raise every fault's percentage (capped at the fault's own) before the
 *        full percentage holds for the rest of {@code duration}
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({ "target", "faults", "duration", "rampUp", "steadyState", "guardrails", "notify" })
public record ExperimentSpec(
        Target target,
        List<Fault> faults,
        @JsonSerialize(using = Durations.Json.class) Duration duration,
        List<RampStep> rampUp,
        SteadyState steadyState,
        List<Guardrail> guardrails,
        @JsonProperty("notify") List<Notification> notifications) {

    public ExperimentSpec {
        faults = faults == null ? List.of() : List.copyOf(faults);
        rampUp = rampUp == null ? List.of() : List.copyOf(rampUp);
        guardrails = guardrails == null ? List.of() : List.copyOf(guardrails);
        notifications = notifications == null ? List.of() : List.copyOf(notifications);
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record RampStep(double percentage, @JsonSerialize(using = Durations.Json.class) Duration hold) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record SteadyState(List<Probe> probes) {
        public SteadyState {
            probes = probes == null ? List.of() : List.copyOf(probes);
        }
    }
}

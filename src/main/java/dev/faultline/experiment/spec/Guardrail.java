package dev.faultline.experiment.spec;

import dev.faultline.Durations;

import java.time.Duration;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * A check that runs every {@code interval} while faults are live; {@code failureThreshold} consecutive
 * failed checks abort the run. Absent values take the server's defaults.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "name" })
public record Guardrail(
        String name,
        @JsonUnwrapped Measurement measurement,
        Tolerance tolerance,
        @JsonSerialize(using = Durations.Json.class) Duration interval,
        Integer failureThreshold) {

    public static final int DEFAULT_FAILURE_THRESHOLD = 1;
    public static final Duration MIN_INTERVAL = Duration.ofMillis(100);

    public int effectiveFailureThreshold() {
        return failureThreshold != null ? failureThreshold : DEFAULT_FAILURE_THRESHOLD;
    }
}

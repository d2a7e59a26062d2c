package dev.faultline.experiment.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/** A steady-state check, run before injection and after recovery. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "name" })
public record Probe(String name, @JsonUnwrapped Measurement measurement, Tolerance tolerance) {
}

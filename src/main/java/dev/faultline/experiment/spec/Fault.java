package dev.faultline.experiment.spec;

import dev.faultline.Durations;

import java.time.Duration;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/** One fault: a delay or an abort (exactly one of the two), injected into a percentage of requests. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Fault(Delay delay, Abort abort) {

    public double percentage() {
        return delay != null ? delay.percentage() : abort.percentage();
    }

    @JsonPropertyOrder({ "fixedDelay", "percentage" })
    public record Delay(@JsonSerialize(using = Durations.Json.class) Duration fixedDelay, double percentage) {
    }

    /** Answers with {@code httpStatus} or, for gRPC callers, {@code grpcStatus} (a gRPC code name). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "httpStatus", "grpcStatus", "percentage" })
    public record Abort(Integer httpStatus, String grpcStatus, double percentage) {
    }
}

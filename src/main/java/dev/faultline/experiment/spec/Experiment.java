package dev.faultline.experiment.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The Experiment document users write ({@code apiVersion: faultline.dev/v1}, {@code kind: Experiment}).
 * Build one from text with {@link ExperimentCodec}, which validates every field.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({ "apiVersion", "kind", "metadata", "spec" })
public record Experiment(String apiVersion, String kind, Metadata metadata, ExperimentSpec spec) {

    public static final String API_VERSION = "faultline.dev/v1";
    public static final String KIND = "Experiment";

    public Experiment(Metadata metadata, ExperimentSpec spec) {
        this(API_VERSION, KIND, metadata, spec);
    }

    public String name() {
        return metadata.name();
    }
}

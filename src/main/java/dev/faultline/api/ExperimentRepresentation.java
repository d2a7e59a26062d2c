package dev.faultline.api;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import dev.faultline.experiment.SavedExperiment;
import dev.faultline.experiment.spec.Experiment;
import dev.faultline.experiment.spec.ExperimentSpec;
import dev.faultline.experiment.spec.Metadata;

/**
 * An experiment as the API returns it: the document, plus a read-only {@code status} that the
 * server keeps. Sending it back unchanged (GET, edit, PUT) is accepted.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "apiVersion", "kind", "metadata", "spec", "status" })
public record ExperimentRepresentation(String apiVersion, String kind, Metadata metadata, ExperimentSpec spec,
        Status status) {

    public record Status(int revision, Instant createdAt, String createdBy, Instant updatedAt, String updatedBy) {
    }

    static ExperimentRepresentation of(SavedExperiment saved) {
        Experiment experiment = saved.experiment();
        return new ExperimentRepresentation(experiment.apiVersion(), experiment.kind(), experiment.metadata(),
                experiment.spec(), new Status(saved.revision(), saved.createdAt(), saved.createdBy(),
                        saved.updatedAt(), saved.updatedBy()));
    }
}

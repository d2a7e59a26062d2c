package dev.faultline.experiment;

import java.time.Instant;

import dev.faultline.experiment.spec.Experiment;

/** An experiment as stored: the document and who saved which revision when. */
public record SavedExperiment(Experiment experiment, int revision, Instant createdAt, String createdBy,
        Instant updatedAt, String updatedBy) {
}

package dev.faultline.experiment;

import java.time.Instant;

import dev.faultline.experiment.spec.Experiment;

/** One entry of an experiment's history: the document as it was after {@code change}. */
public record RevisionEntry(int revision, RevisionChange change, Instant changedAt, String changedBy,
        Experiment experiment) {
}

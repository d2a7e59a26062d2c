package dev.faultline.api;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.faultline.experiment.RevisionChange;
import dev.faultline.experiment.RevisionEntry;
import dev.faultline.experiment.spec.Experiment;

/** One revision of an experiment; the document only when a single revision is asked for. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RevisionRepresentation(int revision, RevisionChange change, Instant changedAt, String changedBy,
        Experiment experiment) {

    static RevisionRepresentation summary(RevisionEntry entry) {
        return new RevisionRepresentation(entry.revision(), entry.change(), entry.changedAt(), entry.changedBy(), null);
    }

    static RevisionRepresentation full(RevisionEntry entry) {
        return new RevisionRepresentation(entry.revision(), entry.change(), entry.changedAt(), entry.changedBy(),
                entry.experiment());
    }
}

package dev.faultline.experiment;

/**
 * A new revision of an experiment, announced (as a CDI event) inside the transaction that records it,
 * so that what relies on an earlier revision — an approved game day — can react before it commits.
 */
public record ExperimentChanged(String name, int revision, RevisionChange change) {
}

package dev.faultline.experiment;

public enum RevisionChange {
    CREATED,
    UPDATED,
    DELETED
}

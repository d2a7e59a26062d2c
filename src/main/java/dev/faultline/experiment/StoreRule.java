package dev.faultline.experiment;

import java.util.List;

import dev.faultline.FieldError;
import dev.faultline.experiment.spec.Experiment;

/**
 * A rule of this deployment that an experiment must keep to be stored, beyond the document's own
 * format (which the codec checks without any configuration). It lives where the knowledge is (where
 * HTTP probes may go is the run package's), and {@link ExperimentService} applies every one on each
 * create and apply, whichever door the document came through.
 */
public interface StoreRule {

    /** What {@code experiment} breaks, each at its field path; empty when it may be stored. */
    List<FieldError> violations(Experiment experiment);
}

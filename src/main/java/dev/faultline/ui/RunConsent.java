package dev.faultline.ui;

import java.util.List;
import java.util.Optional;

import dev.faultline.run.PreviewService;

/**
 * What starting a run asks of the user, read from its preview: nothing, consent to a wider blast
 * radius (the mesh cannot fault only what the target names), or nothing at all because the run
 * would be refused even with consent. No preview (the cluster did not answer, the target did not
 * resolve) asks nothing: the run checks the same again and says why it stops, so a preview that
 * cannot be made never keeps a run from starting.
 */
sealed interface RunConsent {

    /** Starting would only end in CANCELLED: the mesh would ignore the rule, or route the host another way. */
    record Refused(List<String> refusals) implements RunConsent {
    }

    /** The fault would also reach {@code wider}; the run starts only once the user agrees to that. */
    record Needed(List<String> wider) implements RunConsent {
    }

    /** The fault reaches what the target names, or the preview could not say. */
    record NotNeeded() implements RunConsent {
    }

    static RunConsent of(Optional<PreviewService.Preview> preview) {
        if (preview.isEmpty()) {
            return new NotNeeded();
        }
        if (!preview.get().refusals().isEmpty()) {
            return new Refused(preview.get().refusals());
        }
        return preview.get().needsConsent() ? new Needed(preview.get().wider()) : new NotNeeded();
    }
}

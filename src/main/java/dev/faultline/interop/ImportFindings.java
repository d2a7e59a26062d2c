package dev.faultline.interop;

import java.util.ArrayList;
import java.util.List;

import dev.faultline.FieldError;

/**
 * What one import has found so far, in the order found: the errors for which the experiment is
 * refused, and the parts left out ({@link Unmapped}).
 */
final class ImportFindings {

    private final List<FieldError> errors = new ArrayList<>();
    private final List<Unmapped> unmapped = new ArrayList<>();

    void error(String path, String message) {
        errors.add(new FieldError(path, message));
    }

    void unmapped(String path, String reason) {
        unmapped.add(new Unmapped(path, reason));
    }

    void unmappedAll(List<Unmapped> parts) {
        unmapped.addAll(parts);
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** How many errors so far: a check compares it before and after to know whether it found any. */
    int errorCount() {
        return errors.size();
    }

    List<FieldError> errors() {
        return List.copyOf(errors);
    }

    /** The parts left out so far, live: {@link Substitutions#apply} reports its problems into it directly. */
    List<Unmapped> unmapped() {
        return unmapped;
    }
}

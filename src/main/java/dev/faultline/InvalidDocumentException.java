package dev.faultline;

import java.util.List;
import java.util.stream.Collectors;

/** A document that cannot be accepted; every error carries the path of the field that caused it. */
public class InvalidDocumentException extends RuntimeException implements Failure.Known {

    private final transient List<FieldError> errors;

    public InvalidDocumentException(List<FieldError> errors) {
        super(errors.size() == 1 ? errors.getFirst().path() + ": " + errors.getFirst().message()
                : errors.size() + " fields are invalid");
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** The first {@code limit} errors in words, each with its field: {@code path: message; path: message}. */
    public String describe(int limit) {
        return errors.stream().limit(limit).map(error -> error.path() + ": " + error.message()).collect(Collectors.joining("; "));
    }

    @Override
    public Failure failure() {
        return Failure.INVALID_DOCUMENT;
    }
}

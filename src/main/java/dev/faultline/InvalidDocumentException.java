package dev.faultline;

import java.util.List;


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

    @Override
    public Failure failure() {
        return Failure.INVALID_DOCUMENT;
    }
}

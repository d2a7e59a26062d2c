package dev.faultline;

/** One thing wrong with a document, at the field path where it is wrong ({@code spec.faults[0].delay.percentage}). */
public record FieldError(String path, String message) {
}

package dev.faultline.experiment.spec;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The value of an HTTP check's header: written in the document ({@code Authorization: Bearer …}), or
 * taken when the check runs from a stored secret ({@code {valueFrom: {secret: NAME}}}), which the
 * document never holds.
 */
public sealed interface HeaderValue {

    record Literal(String value) implements HeaderValue {

        @JsonValue
        public String value() {
            return value;
        }

        @Override
        public String toString() {
            return "Literal[" + CredentialHeaders.MASK + "]"; // a literal may be a credential: never in a log line
        }
    }

    record FromSecret(String secret) implements HeaderValue {

        @JsonValue
        public Map<String, Map<String, String>> written() {
            return Map.of("valueFrom", Map.of("secret", secret));
        }
    }
}

package dev.faultline.resilience;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * One thing a run showed about how the services answer a fault, with what showed it and what to
 * change: a caller without a timeout or retries for the faulted service, errors spreading along a
 * chain of calls, a guardrail that did not watch the harm.
 *
 * @param kind what was found
 * @param caller the calling service the finding is about (for a guardrail: the caller whose calls into its service moved)
 * @param service the service it calls (the fault's target, or the guardrail's service)
 * @param message what was found, in one sentence
 * @param evidence the figures it was found on: the edges' traffic before and during the fault, the route, the samples
 * @param suggestion what to change: a command or document to apply (a VirtualService or DestinationRule patch, a
 *        guardrail), with a line saying what it does
 * @param path for {@code errorsSpread}: the services the errors went through, outermost caller first, the target last
 * @param guardrail for {@code blindGuardrail}: the guardrail's name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "kind", "caller", "service", "message", "evidence", "suggestion", "path", "guardrail" })
public record Finding(Kind kind, String caller, String service, String message, String evidence, String suggestion, List<String> path,
        String guardrail) {

    public Finding {
        path = path == null ? null : List.copyOf(path);
    }

    /** The finding as one line, for a chat message: {@code missingTimeout: …}. */
    public String line() {
        return kind.key() + ": " + message;
    }

    public enum Kind {
        /** A delay on the service reached the caller in full: no route to the service has a timeout. */
        MISSING_TIMEOUT("missingTimeout"),
        /** The caller answered its own callers with the failures of the service, and no route to it states retries. */
        MISSING_RETRIES("missingRetries"),
        /** As {@link #MISSING_RETRIES}, although the route retries: retries cannot mask a failure every attempt meets. */
        ERRORS_PASSED_ON("errorsPassedOn"),
        /** Errors went two or more calls up from the faulted service. */
        ERRORS_SPREAD("errorsSpread"),
        /** A guardrail's values did not move while the calls into its service did. */
        BLIND_GUARDRAIL("blindGuardrail");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        @JsonValue
        public String key() {
            return key;
        }
    }
}

package dev.faultline.security;

import java.time.Instant;

/**
 * One state-changing action: who ({@code actor}, through which door {@code via}: api, ui, schedule or
 * gameday, {@code signedInWith} password, token or oidc), what ({@code operation} such as
 * {@code experiment.update} on {@code target} such as {@code experiment/reviews-latency}; for an API
 * request also its {@code method} and {@code path}), when, from where ({@code source}) and how it
 * ended ({@code status}, {@code outcome}, and for anything but success the {@code detail}). A request
 * turned away before any feature saw it (no credentials, a role missing) has no operation, and its
 * target is the path.
 */
public record AuditRecord(Long id, Instant at, String actor, String via, String signedInWith, String operation, String method,
        String path, String target, int status, Outcome outcome, String source, String detail) {

    public enum Outcome {
        /** 2xx and 3xx. */
        SUCCEEDED,
        /** A 4xx other than 401, 403 and 429: bad input, not found, conflict. */
        REJECTED,
        /** 401, 403 and 429: not signed in, not allowed, or a sign-in refused for too many failures. */
        DENIED,
        /** 5xx, or the connection closed before the answer was sent. */
        FAILED;

        public static Outcome ofStatus(int status) {
            if (status == 401 || status == 403 || status == 429) {
                return DENIED;
            }
            if (status >= 500) {
                return FAILED;
            }
            return status >= 400 ? REJECTED : SUCCEEDED;
        }
    }
}

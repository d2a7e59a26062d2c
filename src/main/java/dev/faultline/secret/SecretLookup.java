package dev.faultline.secret;

import java.util.List;

import dev.faultline.metrics.HostEntry;

/** What a run finds for a secret its document names: the value and its hosts, or why there is none. */
public sealed interface SecretLookup {

    record Found(String value, List<HostEntry> hosts) implements SecretLookup {

        @Override
        public String toString() {
            return "Found[" + hosts + "]";
        }
    }

    /** No secret of that name is stored. */
    record Missing() implements SecretLookup {
    }

    /** Stored, but not readable with this key: {@code reason} says so, naming the secret. */
    record Unreadable(String reason) implements SecretLookup {
    }
}

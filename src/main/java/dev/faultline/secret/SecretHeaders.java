package dev.faultline.secret;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.experiment.spec.HeaderValue;
import dev.faultline.experiment.spec.HttpChecks;
import dev.faultline.experiment.spec.Measurement.HttpCheck;
import dev.faultline.metrics.SecretHeader;

/**
 * The headers an HTTP check takes from stored secrets, read when the check runs; or why it cannot run (a secret
 * missing, not for this host, or stored with another key), naming the secret and the header, never a value.
 */
@ApplicationScoped
public class SecretHeaders {

    /** The secret-valued headers of a check, or the reason they cannot be had. */
    public record Resolved(List<SecretHeader> headers, String problem) {
    }

    private final SecretService secrets;

    SecretHeaders(SecretService secrets) {
        this.secrets = secrets;
    }

    /** Reads the secrets of the check at {@code path} ({@code spec.guardrails[0]}); each read decrypts anew. */
    public Resolved resolve(String path, HttpCheck check) {
        List<SecretHeader> headers = new ArrayList<>();
        URI url = URI.create(check.url());
        for (Map.Entry<String, HeaderValue> header : check.headers().entrySet()) {
            if (!(header.getValue() instanceof HeaderValue.FromSecret from)) {
                continue;
            }
            String field = new HttpChecks.At(path, null, false, check).headerPath(header.getKey());
            SecretLookup lookup = secrets.lookup(from.secret());
            switch (lookup) {
                case SecretLookup.Missing missing -> {
                    return new Resolved(List.of(), "secret " + from.secret() + " (" + field + ") does not exist; create it with PUT /api/v1/secrets/"
                            + from.secret());
                }
                case SecretLookup.Unreadable unreadable -> {
                    return new Resolved(List.of(), unreadable.reason() + " (" + field + ")");
                }
                case SecretLookup.Found found -> {
                    if (found.hosts().stream().noneMatch(host -> host.matches(url))) {
                        return new Resolved(List.of(), SecretBindings.notListed(from.secret(), url) + " (" + field + ")");
                    }
                    headers.add(new SecretHeader(header.getKey(), found.value(), found.hosts()));
                }
            }
        }
        return new Resolved(headers, null);
    }
}

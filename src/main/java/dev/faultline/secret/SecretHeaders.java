package dev.faultline.secret;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.experiment.spec.ExperimentSpec;
import dev.faultline.experiment.spec.HeaderValue;
import dev.faultline.experiment.spec.HttpChecks;
import dev.faultline.experiment.spec.Measurement.HttpCheck;
import dev.faultline.metrics.HostEntry;
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
                    return new Resolved(List.of(), new Problem(field, missing(from.secret()), true).describe());
                }
                case SecretLookup.Unreadable unreadable -> {
                    return new Resolved(List.of(), unreadable.reason() + " (" + field + ")");
                }
                case SecretLookup.Found found -> {
                    if (!sentTo(found.hosts(), url)) {
                        return new Resolved(List.of(), new Problem(field, SecretBindings.notListed(from.secret(), url), false).describe());
                    }
                    headers.add(new SecretHeader(header.getKey(), found.value(), found.hosts()));
                }
            }
        }
        return new Resolved(headers, null);
    }

    /**
     * Why a header of a check could not be sent as things stand.
     *
     * @param field the header's field ({@code spec.guardrails[0].http.headers.Authorization})
     * @param missing the secret is not stored (yet); otherwise the secret does not list the check's host
     */
    public record Problem(String field, String reason, boolean missing) {

        /** The reason, then the field it concerns. */
        public String describe() {
            return reason + " (" + field + ")";
        }
    }

    /**
     * Why the HTTP checks of {@code spec} could not send their secrets as things stand (a secret missing, or not for
     * the check's host); read without decrypting any value, for a preview and for a document being stored.
     */
    public List<Problem> problems(ExperimentSpec spec) {
        List<Problem> problems = new ArrayList<>();
        for (HttpChecks.At check : HttpChecks.of(spec)) {
            URI url = URI.create(check.http().url());
            check.http().headers().forEach((header, value) -> {
                if (value instanceof HeaderValue.FromSecret from) {
                    String field = check.headerPath(header);
                    secrets.hosts(from.secret()).ifPresentOrElse(hosts -> {
                        if (!sentTo(hosts, url)) {
                            problems.add(new Problem(field, SecretBindings.notListed(from.secret(), url), false));
                        }
                    }, () -> problems.add(new Problem(field, missing(from.secret()), true)));
                }
            });
        }
        return problems;
    }

    private static boolean sentTo(List<HostEntry> hosts, URI url) {
        return hosts.stream().anyMatch(host -> host.matches(url));
    }

    private static String missing(String secret) {
        return "secret " + secret + " does not exist; create it with PUT /api/v1/secrets/" + secret;
    }
}

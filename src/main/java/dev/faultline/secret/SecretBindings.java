package dev.faultline.secret;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.FieldError;
import dev.faultline.experiment.StoreRule;
import dev.faultline.experiment.spec.Experiment;
import dev.faultline.experiment.spec.HeaderValue;
import dev.faultline.experiment.spec.HttpChecks;
import dev.faultline.metrics.HostEntry;

/**
 * A header taken from a stored secret goes only to the hosts the secret lists: a document whose check would send
 * it elsewhere is refused at the header's field. A secret not stored yet is accepted (GitOps applies documents
 * before secrets); the preview warns, and a run is cancelled until it exists.
 */
@ApplicationScoped
class SecretBindings implements StoreRule {

    private final SecretService secrets;

    SecretBindings(SecretService secrets) {
        this.secrets = secrets;
    }

    @Override
    public List<FieldError> violations(Experiment experiment) {
        List<FieldError> errors = new ArrayList<>();
        for (HttpChecks.At check : HttpChecks.of(experiment.spec())) {
            for (Map.Entry<String, HeaderValue> header : check.http().headers().entrySet()) {
                if (header.getValue() instanceof HeaderValue.FromSecret from) {
                    URI url = URI.create(check.http().url());
                    Optional<List<HostEntry>> hosts = secrets.hosts(from.secret());
                    if (hosts.isPresent() && hosts.get().stream().noneMatch(host -> host.matches(url))) {
                        errors.add(new FieldError(check.headerPath(header.getKey()), notListed(from.secret(), url)));
                    }
                }
            }
        }
        return errors;
    }

    /** Why a secret may not go to {@code url}, naming what to list. */
    static String notListed(String secret, URI url) {
        return "secret " + secret + " may not be sent to " + HostEntry.of(url).written() + ": add it to the secret's hosts";
    }
}

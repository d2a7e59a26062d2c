package dev.faultline.secret;

import java.net.URI;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.FieldError;
import dev.faultline.experiment.StoreRule;
import dev.faultline.experiment.spec.Experiment;
import dev.faultline.metrics.HostEntry;

/**
 * A header taken from a stored secret goes only to the hosts the secret lists: a document whose check would send
 * it elsewhere is refused at the header's field. A secret not stored yet is accepted (GitOps applies documents
 * before secrets); the preview warns, and a run is cancelled until it exists.
 */
@ApplicationScoped
class SecretBindings implements StoreRule {

    private final SecretHeaders headers;

    SecretBindings(SecretHeaders headers) {
        this.headers = headers;
    }

    @Override
    public List<FieldError> violations(Experiment experiment) {
        return headers.problems(experiment.spec()).stream().filter(problem -> !problem.missing())
                .map(problem -> new FieldError(problem.field(), problem.reason())).toList();
    }

    /** Why a secret may not go to {@code url}, naming what to list. */
    static String notListed(String secret, URI url) {
        return "secret " + secret + " may not be sent to " + HostEntry.of(url).written() + ": add it to the secret's hosts";
    }
}

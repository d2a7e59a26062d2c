package dev.faultline.run;

import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.FieldError;
import dev.faultline.experiment.StoreRule;
import dev.faultline.experiment.spec.Experiment;
import dev.faultline.experiment.spec.ExperimentSpec;
import dev.faultline.metrics.ProbeEgress;
import dev.faultline.secret.SecretHeaders;

/**
 * The HTTP probes and guardrails of an experiment held against the probe egress policy ({@link
 * ProbeEgress}). When it is stored, each URL as written: a literal refused address or name is an error
 * at its field, so the document never reaches the database. At PRECHECK, each URL's host as it resolves
 * now: a run whose check would call a refused address is cancelled before anything is written, rather
 * than aborted later by a guardrail that could never pass; so is one whose check needs a stored secret that is
 * missing, not for its host, or unreadable with this key. Each check is judged again when it runs.
 */
@ApplicationScoped
class ProbeTargets implements StoreRule {

    private final ProbeEgress egress;

    private final SecretHeaders secrets;

    ProbeTargets(ProbeEgress egress, SecretHeaders secrets) {
        this.egress = egress;
        this.secrets = secrets;
    }

    @Override
    public List<FieldError> violations(Experiment experiment) {
        List<FieldError> errors = new ArrayList<>();
        for (Measurements.Named check : httpChecks(experiment.spec())) {
            if (url(check).getRawUserInfo() != null) {
                errors.add(new FieldError(check.path() + ".http.url",
                        "must not hold credentials (user:password@host): use a header with valueFrom: {secret: NAME}"));
                continue;
            }
            egress.refusalAsWritten(url(check)).ifPresent(reason -> errors.add(new FieldError(check.path() + ".http.url", reason)));
        }
        return errors;
    }

    /**
     * Why a run of {@code spec} may not start: the first HTTP check whose host is refused or resolves to a refused
     * address. A host that does not resolve is left to its check, which fails saying so.
     */
    Optional<String> refusal(ExperimentSpec spec) {
        for (Measurements.Named check : httpChecks(spec)) {
            String problem = secrets.resolve(check.path(), check.measurement().http()).problem();
            if (problem != null) {
                return Optional.of("the HTTP check " + check.path() + " (" + check.name() + ") may not run: " + problem);
            }
            try {
                ProbeEgress.Destination destination = egress.resolve(url(check));
                if (destination.refused()) {
                    return Optional.of("the HTTP check " + check.path() + " (" + check.name() + ") may not run: " + destination.refusal());
                }
            } catch (UnknownHostException e) {
                // said by the check itself
            }
        }
        return Optional.empty();
    }

    private static List<Measurements.Named> httpChecks(ExperimentSpec spec) {
        return Measurements.measurements(spec).stream().filter(check -> check.measurement().http() != null).toList();
    }

    private static URI url(Measurements.Named check) {
        return URI.create(check.measurement().http().url());
    }
}

package dev.faultline.resilience;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.Durations;
import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.Names;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.SavedExperiment;
import dev.faultline.run.PastRun;
import dev.faultline.run.RunService;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;

/**
 * The resilience report of an experiment or of a namespace over a period: read from the runs and
 * the findings stored with them (no Prometheus, no cluster), for viewers with a grant for the namespace.
 */
@ApplicationScoped
public class ReportService {

    /** The most runs a report reads, newest first. */
    static final int MOST_RUNS = 500;
    static final Duration DEFAULT_PERIOD = Duration.ofDays(30);
    static final Duration LONGEST_PERIOD = Duration.ofDays(366);

    private final RunService runs;
    private final ExperimentService experiments;
    private final Clock clock;

    ReportService(RunService runs, ExperimentService experiments, Clock clock) {
        this.runs = runs;
        this.experiments = experiments;
        this.clock = clock;
    }

    /**
     * @param experiment the experiment to report on, or null
     * @param namespace the namespace to report on (every experiment's runs there), or null; exactly one of the two
     * @param since how far back: an ISO-8601 duration ({@code P30D}) or Faultline's ({@code 7d}, {@code 12h}); null for 30 days
     */
    public Report report(Caller caller, String experiment, String namespace, String since) {
        caller.require(Role.VIEWER);
        List<FieldError> errors = new ArrayList<>();
        boolean byExperiment = experiment != null && !experiment.isBlank();
        boolean byNamespace = namespace != null && !namespace.isBlank();
        if (byExperiment == byNamespace) {
            errors.add(new FieldError(byExperiment ? "namespace" : "experiment", byExperiment
                    ? "give the experiment or the namespace to report on, not both"
                    : "is required, or namespace: the experiment (or the namespace) to report on"));
        }
        if (byNamespace && !Names.isDnsLabel(namespace)) {
            errors.add(new FieldError("namespace", Names.DNS_LABEL_RULE + ", found \"" + namespace + "\""));
        }
        Duration period = period(since, errors);
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
        String reported = namespace;
        if (byExperiment) {
            SavedExperiment saved = experiments.find(experiment)
                    .orElseThrow(() -> new ResourceNotFoundException("experiment " + experiment + " does not exist"));
            reported = saved.experiment().spec().target().namespace();
        }
        caller.requireGrant(reported);
        Instant to = clock.instant();
        Instant from = to.minus(period);
        List<PastRun> past = runs.history(byExperiment ? Optional.of(experiment) : Optional.empty(),
                byExperiment ? Optional.empty() : Optional.of(reported), from, MOST_RUNS);
        List<ReportRules.Entry> entries = past.stream()
                // an experiment's older revisions may have targeted a namespace the caller has no grant for
                .filter(run -> run.run().rules().stream().allMatch(rule -> caller.isGranted(rule.namespace())))
                .map(run -> new ReportRules.Entry(run.run(), run.findings() == null ? null : FindingService.parse(run.run().id(), run.findings())))
                .toList();
        return ReportRules.of(byExperiment ? experiment : null, reported, from, to, entries);
    }

    private static Duration period(String since, List<FieldError> errors) {
        if (since == null || since.isBlank()) {
            return DEFAULT_PERIOD;
        }
        Optional<Duration> parsed = Durations.parse(since);
        if (parsed.isEmpty() || parsed.get().isNegative() || parsed.get().isZero() || parsed.get().compareTo(LONGEST_PERIOD) > 0) {
            errors.add(new FieldError("since", "must be a duration from 1s to 366 days, such as P30D or 7d, found \"" + since + "\""));
            return DEFAULT_PERIOD;
        }
        return parsed.get();
    }
}

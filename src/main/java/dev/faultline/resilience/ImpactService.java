package dev.faultline.resilience;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.Durations;
import dev.faultline.ResourceConflictException;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.experiment.spec.ExperimentSpec;
import dev.faultline.experiment.spec.Target;
import dev.faultline.metrics.PrometheusClient;
import dev.faultline.metrics.QueryResult;
import dev.faultline.metrics.ScrapeTarget;
import dev.faultline.resilience.Impact.Traffic;
import dev.faultline.resilience.Impact.Window;
import dev.faultline.resilience.Impact.Windows;
import dev.faultline.resilience.ImpactQueries.Key;
import dev.faultline.run.Run;
import dev.faultline.run.RunService;
import dev.faultline.run.TimelineKind;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;

/**
 * The impact of a run on its namespace's traffic, read from Prometheus when asked: the calls into
 * the target's namespace during the fault (its first rule's application to its last removal),
 * against a window of the same length (at most 5 minutes) just before the run checked its steady
 * state, and one of that length from when the steady state held again. For viewers with a grant for
 * the namespace, as its posture is; nothing is written.
 */
@ApplicationScoped
public class ImpactService {

    /** The longest window compared: the "a window of the same length before PRECHECK, at most 5 min". */
    static final Duration LONGEST = Duration.ofMinutes(5);
    /** A shorter after window than this is not read. */
    static final Duration SHORTEST = Duration.ofSeconds(1);
    /** The scrape interval assumed when Prometheus does not say (Istio's documented setting). */
    static final Duration DEFAULT_SCRAPE = Duration.ofSeconds(15);

    private final RunService runs;
    private final PrometheusClient prometheus;
    private final Clock clock;

    ImpactService(RunService runs, PrometheusClient prometheus, Clock clock) {
        this.runs = runs;
        this.prometheus = prometheus;
        this.clock = clock;
    }

    public Impact impact(Caller caller, String runId) {
        return read(caller, runId).impact();
    }

    /**
     * An impact as read, with the run and its spec, and what could not be read of the windows before and
     * during the fault (a failed query, not one without data).
     */
    record Read(Run run, ExperimentSpec spec, Impact impact, List<String> failures) {
    }

    /** A run the caller may see the impact of, with its spec. */
    record Seen(Run run, ExperimentSpec spec) {
    }

    /** The run, when the caller may see its impact: a viewer with a grant for its target's namespace. */
    Seen seen(Caller caller, String runId) {
        caller.require(Role.VIEWER);
        Run run = runs.find(runId).orElseThrow(() -> new ResourceNotFoundException("run " + runId + " does not exist"));
        ExperimentSpec spec = spec(run);
        caller.requireGrant(spec.target().namespace());
        return new Seen(run, spec);
    }

    /** The impact of a run the caller may see. */
    Read read(Caller caller, String runId) {
        Seen seen = seen(caller, runId);
        return read(seen.run(), seen.spec());
    }

    static ExperimentSpec spec(Run run) {
        if (run.document() == null) {
            throw new ResourceConflictException("run " + run.id() + " has no impact to show: retention removed the experiment it ran");
        }
        return ExperimentCodec.decode(run.document()).spec();
    }

    /** The impact of {@code run}, whoever asks (the caller's rights checked before). */
    Read read(Run run, ExperimentSpec spec) {
        Target target = spec.target();
        Instant now = clock.instant();
        Windows windows = windows(run, now);
        List<String> notes = new ArrayList<>();
        if (windows.after() == null) {
            notes.add(run.endedAt() == null && run.recovery() == null
                    ? "nothing to compare after the run yet: the after window opens once the steady state holds again"
                    : "no after window: less than " + SHORTEST.toSeconds() + " s has passed since it opened");
        } else if (run.recovery() == null) {
            notes.add("the steady state was not seen holding again, so the after window starts at the rules' removal");
        }
        String namespace = target.namespace();
        Duration least = shortestRange(notes);
        List<String> failures = new ArrayList<>();
        Map<Key, Map<String, Traffic>> before = read("before", namespace, windows.before(), least, notes, failures);
        Map<Key, Map<String, Traffic>> during = read("during", namespace, windows.during(), least, notes, failures);
        Map<Key, Map<String, Traffic>> after = windows.after() == null ? null
                : read("after", namespace, windows.after(), least, notes, new ArrayList<>());
        int queries = 3 * (after == null ? 2 : 3);
        Impact impact = new Impact(run.id(), new Impact.Target(namespace, target.serviceName()), windows,
                ImpactQueries.edges(before, during, after, namespace, target.serviceName()), run.recovery(), queries, notes);
        return new Read(run, spec, impact, failures);
    }

    /**
     * The run's three windows: during from the first rule's application to the last one's removal (now
     * while one is live); before and after as long as during, at most {@link #LONGEST}.
     */
    static Windows windows(Run run, Instant now) {
        Instant applied = run.rules().stream().map(Run.Rule::appliedAt).filter(Objects::nonNull).min(Comparator.naturalOrder())
                .orElseThrow(() -> new ResourceConflictException("run " + run.id() + " has no impact to show: it wrote no fault rule"
                        + (run.reason() == null ? "" : " (" + run.reason() + ")")));
        boolean live = run.rules().stream().anyMatch(rule -> rule.appliedAt() != null && rule.removedAt() == null);
        Instant removed = live ? now : run.rules().stream().map(Run.Rule::removedAt).filter(Objects::nonNull).max(Comparator.naturalOrder())
                .orElse(now);
        Window during = new Window(applied, removed.isAfter(applied) ? removed : applied.plusMillis(1));
        Duration fault = Duration.between(during.from(), during.to());
        Duration length = fault.compareTo(LONGEST) > 0 ? LONGEST : fault;
        Instant checked = run.timeline().stream().filter(entry -> entry.type() == TimelineKind.PRECHECK).map(Run.TimelineEntry::at)
                .findFirst().orElse(run.startedAt() == null ? applied : run.startedAt());
        Window before = new Window(checked.minus(length), checked);
        Window after = null;
        if (!live) {
            Instant from = run.recovery() != null && run.recovery().holdsAgainAt() != null ? run.recovery().holdsAgainAt() : removed;
            Instant to = from.plus(length).isAfter(now) ? now : from.plus(length);
            if (Duration.between(from, to).compareTo(SHORTEST) >= 0) {
                after = new Window(from, to);
            }
        }
        return new Windows(before, during, after);
    }

    /**
     * The shortest range a rate is read over: two and a half of the longest scrape interval Prometheus
     * has (a rate needs two samples inside its range), from its targets API.
     */
    private Duration shortestRange(List<String> notes) {
        PrometheusClient.Targets targets = prometheus.targets();
        Duration scrape = targets.targets().stream().map(ScrapeTarget::scrapeInterval).filter(Objects::nonNull)
                .max(Comparator.naturalOrder()).orElse(null);
        if (scrape == null) {
            scrape = DEFAULT_SCRAPE;
            notes.add("the scrape interval could not be learnt (" + (targets.failure() == null ? "no active targets" : targets.failure())
                    + "); windows shorter than " + Durations.format(scrape.multipliedBy(5).dividedBy(2)) + " are read over that long");
        }
        return scrape.multipliedBy(5).dividedBy(2);
    }

    private Map<Key, Map<String, Traffic>> read(String name, String namespace, Window window, Duration least, List<String> notes,
            List<String> failures) {
        Duration range = Duration.between(window.from(), window.to());
        if (range.compareTo(least) < 0) {
            notes.add("the window " + describe(name) + " lasted " + Durations.format(range) + ", too short for a rate between scrapes: its "
                    + "figures are read over the " + Durations.format(least) + " up to its end");
            range = least;
        }
        QueryResult requests = prometheus.query(ImpactQueries.requests(namespace, range), window.to());
        QueryResult p50 = prometheus.query(ImpactQueries.quantile("0.5", namespace, range), window.to());
        QueryResult p99 = prometheus.query(ImpactQueries.quantile("0.99", namespace, range), window.to());
        for (QueryResult result : List.of(requests, p50, p99)) {
            if (result instanceof QueryResult.Failure failure && failure.kind() != QueryResult.Kind.NO_DATA) {
                failures.add(failure.reason());
            }
        }
        note(name, "request rates", requests, notes);
        note(name, "latencies", p99, notes);
        return ImpactQueries.traffic(requests, p50, p99);
    }

    private static void note(String window, String what, QueryResult result, List<String> notes) {
        if (result instanceof QueryResult.Failure failure) {
            notes.add(failure.kind() == QueryResult.Kind.NO_DATA ? "no " + what + " were recorded " + describe(window)
                    : "the " + what + " " + describe(window) + " could not be read: " + failure.reason());
        }
    }

    private static String describe(String window) {
        return switch (window) {
            case "before" -> "before the run";
            case "during" -> "during the fault";
            default -> "after the recovery";
        };
    }
}

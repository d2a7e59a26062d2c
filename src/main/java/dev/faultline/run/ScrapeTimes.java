package dev.faultline.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import dev.faultline.metrics.GoldenSignal;
import dev.faultline.metrics.PromDuration;
import dev.faultline.metrics.PromqlSelectors;
import dev.faultline.metrics.PrometheusClient;
import dev.faultline.metrics.QueryResult;
import dev.faultline.metrics.ScrapeCadence;
import dev.faultline.metrics.ScrapeTarget;
import dev.faultline.metrics.Series;

/**
 * Learns when the series each guardrail reads are scraped, so that its checks can run just after the scrape
 * it needs is readable. Which targets write a guardrail's series comes from Prometheus itself ({@code count by
 * (job, instance)} over the series it selects: one query for every golden signal of a reporter, one per raw
 * PromQL guardrail), re-learnt every {@link #LEARN_EVERY}; when each target is scraped comes from the targets
 * API, read at most every {@link #TARGETS_EVERY}. Everything is read off the monitor's loop, on one background
 * thread at a time; until a guardrail's scrape is known it is checked on the timer.
 */
final class ScrapeTimes {

    private static final Logger LOG = Logger.getLogger(ScrapeTimes.class);
    static final Duration TARGETS_EVERY = Duration.ofSeconds(5);
    static final Duration LEARN_EVERY = Duration.ofSeconds(30);
    /** A guardrail whose series did not exist yet (no traffic) is asked about again this soon. */
    static final Duration RETRY_UNKNOWN = Duration.ofSeconds(5);
    private static final Duration NEW_SOURCE_DELAY = Duration.ofMillis(100);
    private static final Duration FORGET_AFTER = Duration.ofSeconds(60);

    /** Where a guardrail's series come from: a golden signal's service as a reporter reports it, or a PromQL query. */
    sealed interface Source {
        String key();
    }

    record GoldenSource(GoldenSignal.Reporter reporter, String service, String namespace) implements Source {
        @Override
        public String key() {
            return "golden\u0000" + reporter + '\u0000' + service + '\u0000' + namespace;
        }
    }

    record QuerySource(String promql) implements Source {
        @Override
        public String key() {
            return "promql\u0000" + promql;
        }
    }

    /** How a guardrail is checked: not known yet, on the timer (and why), or in step with a scrape. */
    sealed interface Timing {
    }

    record Pending() implements Timing {
    }

    record Timer(String reason) implements Timing {
    }

    /** One check every {@code every} scrapes of the cadence's target, just after it is readable. */
    record Aligned(ScrapeCadence cadence, long every, String description) implements Timing {
    }

    private record TargetKey(String job, String instance) {
    }

    private record Learnt(Set<TargetKey> targets, String failure, Instant at) {
    }

    private record Wanted(Source source, Instant lastAsked) {
    }

    private final PrometheusClient prometheus;
    private final Clock clock;
    private final Map<String, Wanted> wanted = new ConcurrentHashMap<>();
    private final Map<String, Learnt> learnt = new ConcurrentHashMap<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile boolean newSources;
    private volatile Map<TargetKey, ScrapeTarget> targets = Map.of();
    private volatile String targetsFailure;
    private volatile Instant targetsRead;
    private volatile Instant lastRefresh = Instant.EPOCH;
    private volatile long version;

    ScrapeTimes(PrometheusClient prometheus, Clock clock) {
        this.prometheus = prometheus;
        this.clock = clock;
    }

    /** Goes up whenever what is known changes: timings worked out before are stale. */
    long version() {
        return version;
    }

    /** How a guardrail on {@code source}, checked every {@code interval}, is to be timed with what is known now. */
    Timing timing(Source source, Duration interval) {
        Instant now = clock.instant();
        wanted.put(source.key(), new Wanted(source, now));
        Learnt known = learnt.get(source.key());
        if (known == null) {
            newSources = true;
            return new Pending();
        }
        if (targetsRead == null) {
            return new Pending();
        }
        if (targetsFailure != null) {
            return new Timer("Prometheus's targets API could not be read: " + targetsFailure);
        }
        if (known.failure() != null) {
            return new Timer(known.failure());
        }
        List<ScrapeCadence> cadences = new ArrayList<>();
        Set<String> missing = new TreeSet<>();
        for (TargetKey key : known.targets()) {
            ScrapeTarget target = targets.get(key);
            ScrapeCadence cadence = target == null ? null : ScrapeCadence.of(target);
            if (cadence == null) {
                missing.add("job=\"" + key.job() + "\", instance=\"" + key.instance() + "\"");
            } else {
                cadences.add(cadence);
            }
        }
        if (cadences.isEmpty()) {
            return new Timer("its series are labelled with no target Prometheus scrapes now (" + String.join("; ", missing)
                    + "): relabelled or honor_labels series cannot be matched to their scrape");
        }
        Set<Duration> intervals = new TreeSet<>();
        cadences.forEach(cadence -> intervals.add(cadence.interval()));
        if (intervals.size() > 1) {
            return new Timer("its series are scraped at different intervals ("
                    + String.join(", ", intervals.stream().map(PromDuration::format).toList()) + ")");
        }
        Duration scrape = intervals.iterator().next();
        if (interval.compareTo(scrape) < 0) {
            return new Timer("its interval " + PromDuration.format(interval) + " is shorter than the scrape interval "
                    + PromDuration.format(scrape) + " (checks between two scrapes read the same samples)");
        }
        if (interval.toMillis() % scrape.toMillis() != 0) {
            return new Timer("its interval " + PromDuration.format(interval) + " is not a multiple of the scrape interval "
                    + PromDuration.format(scrape));
        }
        long every = interval.toMillis() / scrape.toMillis();
        ScrapeCadence best = ScrapeCadence.bestOf(cadences);
        String which = every == 1 ? "each scrape" : "every " + ordinal(every) + " scrape";
        String description = cadences.size() == 1
                ? "checked " + best.ingestion().toMillis() + " ms after " + which + " of " + best.target().describe()
                        + " (scraped every " + PromDuration.format(scrape) + ", the last scrape took "
                        + best.target().lastScrapeDuration().toMillis() + " ms)"
                : "checked " + best.ingestion().toMillis() + " ms after " + which + " of " + best.target().describe() + ", one of "
                        + cadences.size() + " targets its series come from (scraped every " + PromDuration.format(scrape)
                        + "; the longest any of them waits for a check is "
                        + ScrapeCadence.longestWait(cadences, best).toMillis() + " ms)";
        return new Aligned(best, every, description);
    }

    private static String ordinal(long n) {
        return n + (n % 100 >= 11 && n % 100 <= 13 ? "th" : switch ((int) (n % 10)) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        });
    }

    /** Called by the monitor's loop: starts a refresh in the background when one is due and none is running. */
    void refreshIfDue() {
        if (wanted.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        Duration since = Duration.between(lastRefresh, now);
        boolean due = since.compareTo(TARGETS_EVERY) >= 0 || (newSources && since.compareTo(NEW_SOURCE_DELAY) >= 0);
        if (due && refreshing.compareAndSet(false, true)) {
            newSources = false;
            lastRefresh = now;
            Thread.ofVirtual().name("scrape-times").start(() -> {
                try {
                    refresh();
                } catch (RuntimeException e) {
                    LOG.warn("Could not learn when guardrails' series are scraped; they stay on the timer", e);
                } finally {
                    refreshing.set(false);
                }
            });
        }
    }

    void refresh() {
        Instant now = clock.instant();
        wanted.values().removeIf(w -> Duration.between(w.lastAsked(), now).compareTo(FORGET_AFTER) > 0);
        learnt.keySet().retainAll(wanted.keySet());
        if (targetsRead == null || Duration.between(targetsRead, now).compareTo(TARGETS_EVERY) >= 0 ) {
            PrometheusClient.Targets read = prometheus.targets();
            Map<TargetKey, ScrapeTarget> byKey = new HashMap<>();
            read.targets().forEach(target -> byKey.put(new TargetKey(target.job(), target.instance()), target));
            targets = byKey;
            targetsFailure = read.failure();
            targetsRead = now;
        }
        learn(now);
        version++;
    }

    /** Asks which targets write the series of every source not learnt lately: one query per golden-signal reporter, one per query. */
    private void learn(Instant now) {
        Map<GoldenSignal.Reporter, List<GoldenSource>> golden = new LinkedHashMap<>();
        List<QuerySource> queries = new ArrayList<>();
        for (Wanted w : wanted.values()) {
            if (!stale(learnt.get(w.source().key()), now)) {
                continue;
            }
            if (w.source() instanceof GoldenSource g) {
                golden.computeIfAbsent(g.reporter(), r -> new ArrayList<>()).add(g);
            } else if (w.source() instanceof QuerySource q) {
                queries.add(q);
            }
        }
        golden.forEach((reporter, sources) -> learnGolden(reporter, sources, now));
        queries.forEach(query -> learnQuery(query, now));
    }

    private static boolean stale(Learnt known, Instant now) {
        if (known == null) {
            return true;
        }
        Duration age = Duration.between(known.at(), now);
        return age.compareTo(known.failure() != null ? RETRY_UNKNOWN : LEARN_EVERY) >= 0;
    }

    private void learnGolden(GoldenSignal.Reporter reporter, List<GoldenSource> sources, Instant now) {
        Set<String> namespaces = new TreeSet<>();
        sources.forEach(source -> namespaces.add(source.namespace()));
        // the golden signals' own selector (reporter, namespaces), every service at once
        String selector = new GoldenSignal.Shared(GoldenSignal.Signal.REQUEST_RATE, Duration.ofSeconds(1), reporter, false)
                .requestsSelector(namespaces);
        QueryResult result = prometheus.query("count by (job, instance, destination_service_name, destination_workload_namespace) ("
                + selector + ")");
        Map<String, Set<TargetKey>> byService = new HashMap<>();
        if (result instanceof QueryResult.Values values) {
            for (Series series : values.series()) {
                byService.computeIfAbsent(series.labels().get("destination_service_name") + '\u0000'
                        + series.labels().get("destination_workload_namespace"), k -> new HashSet<>()).add(targetOf(series));
            }
        }
        for (GoldenSource source : sources) {
            Set<TargetKey> found = byService.get(source.service() + '\u0000' + source.namespace());
            learnt.put(source.key(), found != null ? new Learnt(found, null, now)
                    : new Learnt(Set.of(), failureReason(result, "no series of " + source.service() + "." + source.namespace()
                            + " reported by its " + reporter.name().toLowerCase(java.util.Locale.ROOT) + " yet (no traffic?)"), now));
        }
    }

    private void learnQuery(QuerySource source, Instant now) {
        List<String> selectors = PromqlSelectors.of(source.promql());
        if (selectors.isEmpty()) {
            learnt.put(source.key(), new Learnt(Set.of(), "its query names no series to follow the scrape of", now));
            return;
        }
        StringBuilder query = new StringBuilder();
        for (String selector : selectors) {
            query.append(query.isEmpty() ? "" : " or ").append("count by (job, instance) (").append(selector).append(')');
        }
        QueryResult result = prometheus.query(query.toString());
        Set<TargetKey> found = new LinkedHashSet<>();
        if (result instanceof QueryResult.Values values) {
            values.series().forEach(series -> found.add(targetOf(series)));
        }
        learnt.put(source.key(), !found.isEmpty() ? new Learnt(found, null, now)
                : new Learnt(Set.of(), failureReason(result, "the series it names do not exist yet"), now));
    }

    private static TargetKey targetOf(Series series) {
        return new TargetKey(series.labels().getOrDefault("job", ""), series.labels().getOrDefault("instance", ""));
    }

    private static String failureReason(QueryResult result, String noData) {
        if (result instanceof QueryResult.Failure failure && failure.kind() != QueryResult.Kind.NO_DATA) {
            return "could not ask Prometheus which targets its series come from: " + failure.reason();
        }
        return noData;
    }
}

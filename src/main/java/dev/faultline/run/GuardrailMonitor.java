package dev.faultline.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.faultline.experiment.spec.Guardrail;
import dev.faultline.metrics.Check;
import dev.faultline.metrics.GoldenSignal;
import dev.faultline.metrics.PromDuration;
import dev.faultline.metrics.PrometheusClient;
import dev.faultline.metrics.QueryResult;
import dev.faultline.metrics.ScrapeCadence;

/**
 * One loop that checks the guardrails of every live run.
 * <ul>
 * <li><b>In step with the scrape.</b> A Prometheus guardrail is checked just after the scrape of its series has
 * become readable ({@link ScrapeTimes}), once every interval, so a breach is seen tens of milliseconds after it
 * reaches Prometheus rather than anywhere within the interval. Until that is known, or when it cannot be (the
 * reason is noted on the run), it is checked on a timer.</li>
 * <li><b>Shared queries.</b> Guardrails on the same golden signal of different services that are due together
 * send one vector query, {@code by (destination_service_name, destination_workload_namespace)}, each judged on
 * its own service's series; other guardrails due together with the same PromQL send it once. Golden-signal
 * checks are due on moments shared by many runs: the scrape's, rounded up to {@link #SHARED_SLOT}, or, when more
 * than {@link #MOMENTS_PER_INTERVAL} distinct moments would be needed per interval, to a fifth of the interval; on
 * the timer, a moment fixed by the signal.</li>
 * <li>A guardrail that fails {@code failureThreshold} times in a row (a query error or missing data counts)
 * breaches at once, on the thread that saw it. At most {@code faultline.guardrails.max-concurrent-queries}
 * queries are in flight, so that many runs queue here rather than overload Prometheus into timeouts.</li>
 * </ul>
 */
@ApplicationScoped
public class GuardrailMonitor {

    private static final Logger LOG = Logger.getLogger(GuardrailMonitor.class);
    private static final Duration MAX_SLEEP = Duration.ofMillis(20);
    static final Duration SHARED_SLOT = Duration.ofMillis(20);
    static final int MOMENTS_PER_INTERVAL = 5;
    /**
     * How soon a check that found its scrape not stored yet looks again the first time; each further look waits twice as
     * long, up to 80 ms (10, 20, 40, 80, 80 ms...), so that a Prometheus too busy to store a scrape in time gets a few
     * more queries, not one every 10 ms, until half a scrape interval has passed.
     */
    static final Duration LOOK_AGAIN = Duration.ofMillis(10);
    private static final int LOOK_AGAIN_DOUBLINGS = 3;
    /** Scrape stamps asked for in one query at most; checks of other targets in the group are judged as they come. */
    private static final int MAX_STAMPS = 20;
    private static final Duration RECOUNT_MOMENTS = Duration.ofSeconds(1);

    /** Told about every check, about how the guardrail's checks are timed, and about the breach that ends a run. */
    interface Listener {
        void checked(Watch watch, Check check, Instant at);

        void breached(Watch watch, Check check, Instant at);

        /** The guardrail's checks are now timed as {@code description} says (in step with a scrape, or on a timer and why). */
        default void timing(Watch watch, String description, Instant at) {
        }
    }

    /** One guardrail of one live run. */
    static final class Watch {
        final String runId;
        final String path;
        final Guardrail guardrail;
        final String promql;
        /** The golden signal this guardrail is, else null. */
        final GoldenSignal golden;
        final String targetNamespace;
        final Duration interval;
        final Listener listener;
        /** Whose scrape its checks follow; null for a check that does not read Prometheus. */
        final ScrapeTimes.Source source;
        int consecutiveFailures;
        int lookedAgain;
        Instant due;
        volatile boolean running;
        ScrapeTimes.Timing timing;
        long timingVersion = -1;
        String noted;
        /** The moment within the interval its checks would be due at before sharing, to the shared slot. */
        long momentSlot = -1;
        /** For a check in step with a scrape: the target, and when the scrape the next check needs begins (else null). */
        dev.faultline.metrics.ScrapeTarget nextTarget;
        Instant nextScrape;
        /** The same for the check in flight or about to be retried. */
        dev.faultline.metrics.ScrapeTarget checkingTarget;
        Instant checkingScrape;
        /** When a check that found its scrape not stored yet looks again (else null). */
        Instant retryAt;

        Watch(String runId, String path, Guardrail guardrail, String promql, GoldenSignal golden, String targetNamespace,
                Duration interval, Listener listener, Instant firstDue) {
            this.runId = runId;
            this.path = path;
            this.guardrail = guardrail;
            this.promql = promql;
            this.golden = golden;
            this.targetNamespace = targetNamespace;
            this.interval = interval;
            this.listener = listener;
            this.due = firstDue;
            this.source = golden != null ? new ScrapeTimes.GoldenSource(golden.reporter(), golden.service(), golden.namespace())
                    : promql != null ? new ScrapeTimes.QuerySource(promql) : null;
        }
    }

    private record Moments(GoldenSignal.Shared signal, long intervalMillis) {
    }

    private final Map<String, List<Watch>> watches = new ConcurrentHashMap<>();
    private final MeasurementChecker checker;
    private final PrometheusClient prometheus;
    private final Clock clock;
    private final RunMetrics metrics;
    private final boolean alignToScrape;
    private final ScrapeTimes scrapeTimes;
    /** Queries in flight to Prometheus at most (its own default limit is 20 concurrent queries). */
    private final Semaphore queries;
    private final ExecutorService checks = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread loop;
    private volatile Set<Moments> crowded = Set.of();
    private Instant momentsCounted = Instant.EPOCH;
    private volatile boolean stopped;

    @Inject
    GuardrailMonitor(MeasurementChecker checker, PrometheusClient prometheus, Clock clock, RunMetrics metrics,
            @ConfigProperty(name = "faultline.guardrails.max-concurrent-queries", defaultValue = "10") int maxConcurrentQueries,
            @ConfigProperty(name = "faultline.guardrails.align-to-scrape", defaultValue = "true") boolean alignToScrape) {
        this.queries = new Semaphore(maxConcurrentQueries);
        this.checker = checker;
        this.prometheus = prometheus;
        this.clock = clock;
        this.metrics = metrics;
        this.alignToScrape = alignToScrape;
        this.scrapeTimes = new ScrapeTimes(prometheus, clock);
        this.loop = Thread.ofPlatform().name("guardrail-monitor").daemon().unstarted(this::loop);
        this.loop.start();
    }

    void watch(String runId, List<Watch> guardrails) {
        if (guardrails.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        for (Watch watch : guardrails) {
            if (watch.golden != null) {
                watch.due = onSignalMoment(watch, now);
            }
        }
        watches.put(runId, List.copyOf(guardrails));
    }

    void unwatch(String runId) {
        watches.remove(runId);
    }

    private void loop() {
        while (!stopped) {
            Instant wake;
            try {
                Instant now = clock.instant();
                wake = tick(now);
                if (alignToScrape) {
                    scrapeTimes.refreshIfDue();
                }
                countMoments(now);
            } catch (RuntimeException e) {
                LOG.error("Guardrail monitor tick failed; carrying on", e);
                wake = null;
            }
            long sleep = wake == null ? MAX_SLEEP.toNanos()
                    : Math.clamp(Duration.between(clock.instant(), wake).toNanos(), 200_000L, MAX_SLEEP.toNanos());
            LockSupport.parkNanos(sleep);
        }
    }

    /**
     * Starts the checks that are due: one query per golden signal (for all its services) or per distinct PromQL,
     * then every guardrail that uses it. Answers when the next check is due (null when none is).
     */
    Instant tick(Instant now) {
        Map<Object, List<Watch>> byQuery = new LinkedHashMap<>();
        Instant next = null;
        for (List<Watch> run : watches.values()) {
            for (Watch watch : run) {
                boolean again = watch.retryAt != null && !watch.retryAt.isAfter(now);
                if (!watch.running && (again || !watch.due.isAfter(now))) {
                    watch.running = true;
                    if (again) {
                        watch.retryAt = null;
                    } else {
                        watch.checkingTarget = watch.nextTarget;
                        watch.checkingScrape = watch.nextScrape;
                        watch.due = nextDue(watch, now);
                    }
                    Object key = watch.golden != null ? watch.golden.shared()
                            : watch.promql != null ? watch.promql : "\u0000" + watch.runId + watch.path;
                    byQuery.computeIfAbsent(key, k -> new ArrayList<>()).add(watch);
                }
                Instant soonest = watch.retryAt != null && watch.retryAt.isBefore(watch.due) ? watch.retryAt : watch.due;
                if (next == null || soonest.isBefore(next)) {
                    next = soonest;
                }
            }
        }
        byQuery.forEach((query, group) -> checks.execute(() -> check(group)));
        return next;
    }

    /** When the watch is due after the check that starts now: after the next scrape it needs, or a timer interval on. */
    private Instant nextDue(Watch watch, Instant now) {
        // after a stall (a slow tick, a paused clock) the next check is one interval from now, not a burst of late ones
        Instant from = watch.due.isBefore(now.minus(watch.interval)) ? now : watch.due;
        ScrapeTimes.Timing timing = timing(watch);
        if (timing instanceof ScrapeTimes.Aligned aligned) {
            Instant raw = aligned.cadence().readableAtOrAfter(from.plus(watch.interval).minus(aligned.cadence().interval().dividedBy(2)));
            watch.nextTarget = aligned.cadence().target();
            watch.nextScrape = raw.minus(aligned.cadence().ingestion());
            return watch.golden != null ? shareMoment(watch, raw) : raw;
        }
        watch.nextTarget = null;
        watch.nextScrape = null;
        return watch.golden != null ? onSignalMoment(watch, from.plus(watch.interval.dividedBy(2))) : from.plus(watch.interval);
    }

    /**
     * On the timer, a golden signal is checked at a moment within its interval fixed by the signal: all runs that
     * watch it for different services are then due together and share one query.
     */
    private Instant onSignalMoment(Watch watch, Instant atOrAfter) {
        long period = watch.interval.toMillis();
        long phase = Math.floorMod(watch.golden.shared().hashCode() * 0x9E3779B97F4A7C15L, period);
        return shareMoment(watch, ScrapeCadence.next(phase, period, atOrAfter));
    }

    /** {@code raw} rounded up to a moment other runs' checks of the same signal share. */
    private Instant shareMoment(Watch watch, Instant raw) {
        long period = watch.interval.toMillis();
        long slot = SHARED_SLOT.toMillis();
        watch.momentSlot = Math.floorMod(raw.toEpochMilli(), period) / slot;
        if (crowded.contains(new Moments(watch.golden.shared(), period))) {
            slot = Math.max(slot, period / MOMENTS_PER_INTERVAL);
        }
        return Instant.ofEpochMilli(Math.ceilDiv(raw.toEpochMilli(), slot) * slot);
    }

    /** Which golden signals would need more than a few moments per interval (their services scraped at many moments). */
    private void countMoments(Instant now) {
        if (Duration.between(momentsCounted, now).compareTo(RECOUNT_MOMENTS) < 0) {
            return;
        }
        momentsCounted = now;
        Map<Moments, Set<Long>> moments = new HashMap<>();
        for (List<Watch> run : watches.values()) {
            for (Watch watch : run) {
                if (watch.golden != null && watch.momentSlot >= 0) {
                    moments.computeIfAbsent(new Moments(watch.golden.shared(), watch.interval.toMillis()), k -> new HashSet<>())
                            .add(watch.momentSlot);
                }
            }
        }
        Set<Moments> many = new HashSet<>();
        moments.forEach((signal, slots) -> {
            if (slots.size() > MOMENTS_PER_INTERVAL) {
                many.add(signal);
            }
        });
        crowded = many;
    }

    /** How the watch's checks are timed with what is known now; a change of how is noted on its run. */
    private ScrapeTimes.Timing timing(Watch watch) {
        if (watch.source == null) {
            return null;
        }
        if (!alignToScrape) {
            if (watch.timing == null) {
                watch.timing = new ScrapeTimes.Timer("faultline.guardrails.align-to-scrape is false");
            }
        } else if (watch.timingVersion != scrapeTimes.version() || watch.timing instanceof ScrapeTimes.Pending) {
            watch.timingVersion = scrapeTimes.version();
            watch.timing = scrapeTimes.timing(watch.source, watch.interval);
        }
        note(watch);
        return watch.timing;
    }

    private void note(Watch watch) {
        String key;
        String description;
        switch (watch.timing) {
            case ScrapeTimes.Aligned aligned -> {
                key = "aligned " + aligned.cadence().target().describe() + " " + aligned.every();
                description = aligned.description();
            }
            case ScrapeTimes.Timer timer -> {
                key = "timer " + timer.reason();
                description = "checked on a " + PromDuration.format(watch.interval) + " timer, not in step with the scrape: "
                        + timer.reason();
            }
            default -> {
                return;
            }
        }
        if (!key.equals(watch.noted)) {
            watch.noted = key;
            Instant at = clock.instant();
            checks.execute(() -> watch.listener.timing(watch, description, at));
        }
    }

    private void check(List<Watch> group) {
        Watch first = group.get(0);
        QueryResult shared = null;
        Map<String, Instant> stamps = Map.of();
        if (first.promql != null) {
            String promql = first.promql;
            if (first.golden != null && group.size() > 1) {
                Set<String> namespaces = new TreeSet<>();
                Set<String> services = new TreeSet<>();
                group.forEach(watch -> {
                    namespaces.add(watch.golden.namespace());
                    services.add(watch.golden.service());
                });
                promql = first.golden.shared().promql(namespaces, services);
            }
            Map<String, dev.faultline.metrics.ScrapeTarget> followed = new LinkedHashMap<>();
            for (Watch watch : group) {
                // golden signals are vectors, so their answer can carry the scrape stamps; a user's PromQL may be a scalar
                if (watch.golden != null && watch.checkingTarget != null && followed.size() < MAX_STAMPS) {
                    followed.putIfAbsent(watch.checkingTarget.describe(), watch.checkingTarget);
                }
            }
            if (followed.isEmpty()) {
                shared = query(promql);
            } else {
                dev.faultline.metrics.ScrapeStamps.Split split = dev.faultline.metrics.ScrapeStamps.split(promql,
                        query(dev.faultline.metrics.ScrapeStamps.query(promql, followed.values())));
                shared = split.result();
                stamps = split.scrapedAt();
            }
        }
        Instant now = clock.instant();
        for (Watch watch : group) {
            if (notStoredYet(watch, stamps, now)) {
                watch.retryAt = now.plus(LOOK_AGAIN.multipliedBy(1L << Math.min(watch.lookedAgain, LOOK_AGAIN_DOUBLINGS)));
                watch.lookedAgain++;
                watch.running = false;
                metrics.lookedAgain();
                continue;
            }
            try {
                QueryResult result = shared == null ? null : group.size() > 1 && watch.golden != null ? watch.golden.own(shared) : shared;
                Check check = result != null
                        ? MeasurementChecker.judge(result, watch.guardrail.tolerance())
                        : checker.check(watch.guardrail.measurement(), watch.guardrail.tolerance(), watch.targetNamespace);
                judge(watch, check);
            } catch (RuntimeException e) {
                judge(watch, Check.failed(null, "the check itself failed: " + e));
            } finally {
                watch.lookedAgain = 0;
                watch.running = false;
            }
        }
    }

    /**
     * Whether the answer shows that the scrape this check follows is not stored yet — the newest stored scrape of its
     * target is the one before — while there is still time to look again before the next scrape is half due.
     */
    private static boolean notStoredYet(Watch watch, Map<String, Instant> stamps, Instant now) {
        if (watch.checkingTarget == null || watch.checkingScrape == null) {
            return false;
        }
        Instant stored = stamps.get(watch.checkingTarget.describe());
        Duration half = watch.checkingTarget.scrapeInterval().dividedBy(2);
        return stored != null && stored.isBefore(watch.checkingScrape.minus(half)) && now.isBefore(watch.checkingScrape.plus(half));
    }

    private QueryResult query(String promql) {
        queries.acquireUninterruptibly();
        long started = System.nanoTime();
        QueryResult result;
        try {
            result = prometheus.query(promql);
        } finally {
            queries.release();
        }
        metrics.guardrailQuery(System.nanoTime() - started, result); // never throws
        return result;
    }

    private void judge(Watch watch, Check check) {
        Instant at = clock.instant();
        watch.consecutiveFailures = check.passed() ? 0 : watch.consecutiveFailures + 1;
        // recorded first (a cheap hand-over), so that the breaching sample is stored before the run ends
        watch.listener.checked(watch, check, at);
        if (!check.passed() && watch.consecutiveFailures >= watch.guardrail.effectiveFailureThreshold()
                && watches.remove(watch.runId) != null) {
            watch.listener.breached(watch, check, at);
        }
    }

    @PreDestroy
    void stop() {
        stopped = true;
        checks.shutdownNow();
    }
}

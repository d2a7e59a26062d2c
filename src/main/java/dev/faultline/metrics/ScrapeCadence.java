package dev.faultline.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * When a target's samples can be read: a scrape that began at {@code lastScrape} is stored once the scrape is
 * done, so a query sees it from {@code lastScrape + ingestion} on, and the same again every scrape interval.
 * The ingestion delay is the last scrape's duration with half again and {@link #INGESTION_MARGIN} for the
 * append (a scrape a little slower than the last still lands before the check), but never more than half the
 * interval.
 */
public record ScrapeCadence(ScrapeTarget target, long phaseMillis, Duration ingestion) {

    /** Time for Prometheus to append a scraped sample after the scrape's answer arrived, and for clock rounding. */
    public static final Duration INGESTION_MARGIN = Duration.ofMillis(20);

    /** The cadence of a target that has been scraped at least once and says its interval, else null. */
    public static ScrapeCadence of(ScrapeTarget target) {
        if (target.lastScrape() == null || target.scrapeInterval() == null || target.scrapeInterval().toMillis() <= 0) {
            return null;
        }
        long interval = target.scrapeInterval().toMillis();
        long ingestion = Math.min(interval / 2,
                (long) Math.ceil(target.lastScrapeDuration().toNanos() * 1.5 / 1e6) + INGESTION_MARGIN.toMillis());
        long readable = ceilMillis(target.lastScrape()) + ingestion;
        return new ScrapeCadence(target, Math.floorMod(readable, interval), Duration.ofMillis(ingestion));
    }

    public Duration interval() {
        return target.scrapeInterval();
    }

    /** The first moment, in whole milliseconds, at or after {@code time} when a scrape of this target has just become readable. */
    public Instant readableAtOrAfter(Instant time) {
        return next(phaseMillis, interval().toMillis(), time);
    }

    /** The first moment at or after {@code time} that is {@code phase} past a whole multiple of {@code period} (epoch milliseconds). */
    public static Instant next(long phase, long period, Instant time) {
        long at = ceilMillis(time);
        long k = Math.floorDiv(at - phase + period - 1, period);
        return Instant.ofEpochMilli(phase + k * period);
    }

    private static long ceilMillis(Instant time) {
        long millis = time.toEpochMilli();
        return time.getNano() % 1_000_000 == 0 ? millis : millis + 1;
    }

    /**
     * The phase for one check per scrape of a series that several targets write (a service's pods): just after the
     * target whose scrape is followed by the longest quiet gap, so that no target's new samples wait longer than
     * the interval less that gap. All cadences must share one interval.
     */
    public static ScrapeCadence bestOf(List<ScrapeCadence> cadences) {
        List<ScrapeCadence> sorted = new ArrayList<>(cadences);
        sorted.sort(Comparator.comparingLong(ScrapeCadence::phaseMillis));
        long period = sorted.get(0).interval().toMillis();
        ScrapeCadence best = sorted.get(0);
        long widest = -1;
        for (int i = 0; i < sorted.size(); i++) {
            long here = sorted.get(i).phaseMillis();
            long after = i + 1 < sorted.size() ? sorted.get(i + 1).phaseMillis() : sorted.get(0).phaseMillis() + period;
            if (after - here > widest) {
                widest = after - here;
                best = sorted.get(i);
            }
        }
        return best;
    }

    /** The longest any of these targets' fresh samples wait for a check at {@code chosen}'s phase. */
    public static Duration longestWait(List<ScrapeCadence> cadences, ScrapeCadence chosen) {
        long period = chosen.interval().toMillis();
        long worst = 0;
        for (ScrapeCadence cadence : cadences) {
            worst = Math.max(worst, Math.floorMod(chosen.phaseMillis() - cadence.phaseMillis(), period));
        }
        return Duration.ofMillis(worst);
    }
}

package dev.faultline.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

/** When a target's fresh samples are readable, and where one check per interval best follows several targets. */
class ScrapeCadenceTest {

    private static ScrapeTarget target(String lastScrape, long durationMillis, String interval) {
        return new ScrapeTarget("mesh", "10.0.0.1:15020", Instant.parse(lastScrape), Duration.ofMillis(durationMillis),
                PromDuration.parse(interval), "up");
    }

    @Test
    void readableTheLastScrapesDurationAndAHalfAndTheMarginAfterEachScrape() {
        ScrapeCadence cadence = ScrapeCadence.of(target("2026-12-03T10:00:00.300Z", 8, "1s"));
        assertThat(cadence.ingestion()).isEqualTo(Duration.ofMillis(12 + 20));
        assertThat(cadence.readableAtOrAfter(Instant.parse("2026-12-03T10:00:05Z"))).isEqualTo(Instant.parse("2026-12-03T10:00:05.332Z"));
        assertThat(cadence.readableAtOrAfter(Instant.parse("2026-12-03T10:00:05.332Z"))).isEqualTo(Instant.parse("2026-12-03T10:00:05.332Z"));
        assertThat(cadence.readableAtOrAfter(Instant.parse("2026-12-03T10:00:05.332000001Z")))
                .isEqualTo(Instant.parse("2026-12-03T10:00:06.332Z"));
        assertThat(cadence.readableAtOrAfter(Instant.parse("2026-12-03T09:59:59.999Z"))).isEqualTo(Instant.parse("2026-12-03T10:00:00.332Z"));
    }

    @Test
    void aSlowScrapeWaitsAtMostHalfTheIntervalAndAnUnscrapedTargetHasNoCadence() {
        assertThat(ScrapeCadence.of(target("2026-12-03T10:00:00.100Z", 7000, "15s")).ingestion()).isEqualTo(Duration.ofMillis(7500));
        assertThat(ScrapeCadence.of(target("2026-12-03T10:00:00.100Z", 700, "1s")).ingestion()).isEqualTo(Duration.ofMillis(500));
        assertThat(ScrapeCadence.of(new ScrapeTarget("mesh", "x:1", null, Duration.ZERO, Duration.ofSeconds(1), "unknown"))).isNull();
    }

    @Test
    void severalTargetsAreFollowedFromTheOneBeforeTheLongestQuietGap() {
        List<ScrapeCadence> cadences = List.of(
                ScrapeCadence.of(target("2026-12-03T10:00:00.080Z", 0, "1s")), // readable at .100
                ScrapeCadence.of(target("2026-12-03T10:00:00.180Z", 0, "1s")), // .200, then 700 ms quiet
                ScrapeCadence.of(target("2026-12-03T10:00:00.880Z", 0, "1s"))); // .900
        ScrapeCadence best = ScrapeCadence.bestOf(cadences);
        assertThat(best.phaseMillis()).isEqualTo(200);
        assertThat(ScrapeCadence.longestWait(cadences, best)).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void prometheusDurations() {
        assertThat(PromDuration.parse("1s")).isEqualTo(Duration.ofSeconds(1));
        assertThat(PromDuration.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(PromDuration.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(PromDuration.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(PromDuration.parse("")).isNull();
        assertThat(PromDuration.parse("-1s")).isNull();
        assertThat(PromDuration.parse("fast")).isNull();
        assertThat(PromDuration.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(PromDuration.format(Duration.ofSeconds(2))).isEqualTo("2s");
    }
}

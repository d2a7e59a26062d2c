package dev.faultline.metrics;

import java.time.Duration;
import java.time.Instant;

/**
 * One active target of Prometheus's targets API: whose series it scrapes ({@code job}, {@code instance}, as its
 * series are labelled unless relabelled), when its last scrape began, how long that scrape took and how often it
 * scrapes. {@code lastScrape} is null before the first scrape.
 */
public record ScrapeTarget(String job, String instance, Instant lastScrape, Duration lastScrapeDuration,
        Duration scrapeInterval, String health) {

    /** {@code job="istio", instance="10.0.0.7:15020"}, for messages. */
    public String describe() {
        return "job=\"" + job + "\", instance=\"" + instance + "\"";
    }
}

package dev.faultline.metrics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Asks, in the same query as a guardrail's, which scrape of each target it follows Prometheus has stored: the
 * timestamp of the target's {@code up} series, which Prometheus writes with (and commits together with) every
 * scrape's samples. A check that finds its target's scrape not stored yet (Prometheus slower than it learnt, on a
 * busy machine) can look again a moment later instead of judging the samples of the scrape before.
 */
public final class ScrapeStamps {

    static final String LABEL = "faultline_scrape";

    private ScrapeStamps() {
    }

    /** The answer without the stamps, and the stamps by {@link ScrapeTarget#describe()}. */
    public record Split(QueryResult result, Map<String, Instant> scrapedAt) {
    }

    /** {@code promql} (a vector expression) with the newest stored scrape of each target added as labelled series. */
    public static String query(String promql, Collection<ScrapeTarget> targets) {
        StringBuilder query = new StringBuilder("(").append(promql).append(')');
        for (ScrapeTarget target : targets) {
            query.append(" or label_replace(timestamp(up{job=\"").append(escape(target.job())).append("\",instance=\"")
                    .append(escape(target.instance())).append("\"}), \"").append(LABEL).append("\", \"1\", \"\", \"\")");
        }
        return query.toString();
    }

    /** Takes the stamps out of an answer to {@link #query}; {@code promql} is the guardrail's own, for the answer it would have had. */
    public static Split split(String promql, QueryResult answer) {
        if (!(answer instanceof QueryResult.Values values)) {
            return new Split(answer instanceof QueryResult.Failure failure
                    ? new QueryResult.Failure(promql, failure.kind(), failure.reason()) : answer, Map.of());
        }
        Map<String, Instant> stamps = new HashMap<>();
        List<Series> rest = new ArrayList<>();
        for (Series series : values.series()) {
            if ("1".equals(series.labels().get(LABEL))) {
                ScrapeTarget target = new ScrapeTarget(series.labels().getOrDefault("job", ""), series.labels().getOrDefault("instance", ""),
                        null, null, null, null);
                stamps.put(target.describe(), Instant.ofEpochMilli(Math.round(series.value() * 1000)));
            } else {
                rest.add(series);
            }
        }
        return new Split(rest.isEmpty() ? PrometheusClient.noSeries(promql) : new QueryResult.Values(promql, rest), stamps);
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}

package dev.faultline.metrics;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Prometheus's duration notation ({@code 1s}, {@code 500ms}, {@code 1m30s}), as its APIs print scrape intervals. */
public final class PromDuration {

    private static final Pattern FORMAT = Pattern.compile(
            "(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+)s)?(?:(\\d+)ms)?");
    private static final long[] MILLIS = { 365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1 };

    private PromDuration() {
    }

    /** The duration, or null when {@code text} is not one (empty, negative, a unit Prometheus does not print). */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        Matcher matcher = FORMAT.matcher(text);
        if (!matcher.matches()) {
            return null;
        }
        long millis = 0;
        for (int i = 0; i < MILLIS.length; i++) {
            if (matcher.group(i + 1) != null) {
                millis += Long.parseLong(matcher.group(i + 1)) * MILLIS[i];
            }
        }
        return Duration.ofMillis(millis);
    }

    /** {@code 1s}, {@code 1500ms}, {@code 1m}: how Prometheus would write it, for messages. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 60_000 == 0 && millis > 0) {
            return millis / 60_000 + "m";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}

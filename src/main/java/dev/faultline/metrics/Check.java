package dev.faultline.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoublePredicate;

/**
 * The verdict of one probe or guardrail check: passed or not, the value it saw, and for a failure
 * the reason — the failing series and its value, or why there was no value at all. A check never
 * passes without a value that the tolerance accepted.
 *
 * @param value the value judged: the first failing series' value, or the first value when all passed; null without data
 */
public record Check(boolean passed, Double value, String reason, List<Series> failedSeries) {

    public Check {
        failedSeries = List.copyOf(failedSeries);
    }

    public static Check passed(double value) {
        return new Check(true, value, null, List.of());
    }

    public static Check failed(Double value, String reason) {
        return new Check(false, value, reason, List.of());
    }

    /**
     * Every series must be accepted by the tolerance; NaN never is. {@code tolerance} describes the
     * tolerance for the reason ("below 0.05").
     */
    public static Check evaluate(QueryResult result, DoublePredicate accepts, String tolerance) {
        return switch (result) {
            case QueryResult.Failure failure -> failed(null, failure.reason());
            case QueryResult.Matrix matrix -> failed(null, "a range query cannot be checked against a tolerance");
            case QueryResult.Values values -> evaluate(values.series(), accepts, tolerance);
        };
    }

    private static Check evaluate(List<Series> series, DoublePredicate accepts, String tolerance) {
        List<Series> failed = new ArrayList<>();
        for (Series one : series) {
            if (Double.isNaN(one.value()) || !accepts.test(one.value())) {
                failed.add(one);
            }
        }
        if (failed.isEmpty()) {
            return passed(series.get(0).value());
        }
        Series first = failed.get(0);
        String which = series.size() == 1 && first.labels().isEmpty() ? "the value" : "series " + first.describeLabels();
        String reason = Double.isNaN(first.value())
                ? which + " is NaN (a rate divided by no traffic?), which no tolerance accepts"
                : which + " is " + format(first.value()) + ", not " + tolerance;
        if (failed.size() > 1) {
            reason += " (" + failed.size() + " of " + series.size() + " series failed)";
        }
        return new Check(false, first.value(), reason, failed);
    }

    static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value) : String.valueOf(value);
    }
}

package dev.faultline.metrics;

import java.util.Map;
import java.util.TreeMap;

/** One value of a query result: the series' labels (empty for a scalar) and its value at the evaluation time. */
public record Series(Map<String, String> labels, double value) {

    public Series {
        labels = Map.copyOf(labels);
    }

    /** {@code {destination_service_name="reviews", response_code="503"}}, or {@code {}} for a scalar. */
    public String describeLabels() {
        StringBuilder text = new StringBuilder("{");
        new TreeMap<>(labels).forEach((name, value) -> text.append(text.length() > 1 ? ", " : "").append(name)
                .append("=\"").append(value).append('"'));
        return text.append('}').toString();
    }
}

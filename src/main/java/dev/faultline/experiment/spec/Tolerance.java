package dev.faultline.experiment.spec;

import java.util.List;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a probe or guardrail value must satisfy. Written as a one-key object: {@code {below: 0.05}}. */
public sealed interface Tolerance {

    /** True when the value is within the tolerance; NaN never is. */
    boolean accepts(double value);

    /** The tolerance in words, for reports: {@code below 0.05}. */
    String describe();

    @JsonValue
    Map<String, Object> json();

    /** A comparison with one limit, as written in documents. */
    enum Comparison {
        BELOW("below", "below", (value, limit) -> value < limit ? 1 : 0),
        AT_MOST("atMost", "at most", (value, limit) -> value <= limit ? 1 : 0),
        ABOVE("above", "above", (value, limit) -> value > limit ? 1 : 0),
        AT_LEAST("atLeast", "at least", (value, limit) -> value >= limit ? 1 : 0),
        EQUALS("equals", "equal to", (value, limit) -> value == limit ? 1 : 0);

        private final String key;
        private final String words;
        private final DoubleBinaryOperator test;

        Comparison(String key, String words, DoubleBinaryOperator test) {
            this.key = key;
            this.words = words;
            this.test = test;
        }

        public String key() {
            return key;
        }
    }

    record Bound(Comparison comparison, double limit) implements Tolerance {
        public boolean accepts(double value) {
            return comparison.test.applyAsDouble(value, limit) == 1;
        }

        public String describe() {
            return comparison.words + " " + number(limit);
        }

        public Map<String, Object> json() {
            return Map.of(comparison.key, limit);
        }
    }

    /** Inclusive at both ends. */
    record Between(double low, double high) implements Tolerance {
        public boolean accepts(double value) {
            return value >= low && value <= high;
        }

        public String describe() {
            return "between " + number(low) + " and " + number(high);
        }

        public Map<String, Object> json() {
            return Map.of("between", List.of(low, high));
        }
    }

    static Tolerance below(double limit) {
        return new Bound(Comparison.BELOW, limit);
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}

package dev.faultline.experiment.spec;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a probe or guardrail value must satisfy. Written as a one-key object: {@code {below: 0.05}}. */
public sealed interface Tolerance {

    /** True when the value is within the tolerance; NaN never is. */
    boolean accepts(double value);

    /** The tolerance in words, for reports: {@code below 0.05}. */
    String describe();

    @JsonValue
    Map<String, Object> json();

    record Below(double limit) implements Tolerance {
        public boolean accepts(double value) {
            return value < limit;
        }

        public String describe() {
            return "below " + number(limit);
        }

        public Map<String, Object> json() {
            return Map.of("below", limit);
        }
    }

    record AtMost(double limit) implements Tolerance {
        public boolean accepts(double value) {
            return value <= limit;
        }

        public String describe() {
            return "at most " + number(limit);
        }

        public Map<String, Object> json() {
            return Map.of("atMost", limit);
        }
    }

    record Above(double limit) implements Tolerance {
        public boolean accepts(double value) {
            return value > limit;
        }

        public String describe() {
            return "above " + number(limit);
        }

        public Map<String, Object> json() {
            return Map.of("above", limit);
        }
    }

    record AtLeast(double limit) implements Tolerance {
        public boolean accepts(double value) {
            return value >= limit;
        }

        public String describe() {
            return "at least " + number(limit);
        }

        public Map<String, Object> json() {
            return Map.of("atLeast", limit);
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

    record EqualTo(double expected) implements Tolerance {
        public boolean accepts(double value) {
            return value == expected;
        }

        public String describe() {
            return "equal to " + number(expected);
        }

        public Map<String, Object> json() {
            return Map.of("equals", expected);
        }
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}

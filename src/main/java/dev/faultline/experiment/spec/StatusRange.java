package dev.faultline.experiment.spec;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonValue;

/** Expected HTTP statuses: one code ({@code 200}), a class ({@code 2xx}) or a range ({@code 200-299}). */
public record StatusRange(int low, int high) {

    public static final StatusRange SUCCESS = new StatusRange(200, 299);
    private static final Pattern CLASS = Pattern.compile("([1-5])xx");
    private static final Pattern RANGE = Pattern.compile("(\\d{3})\\s*-\\s*(\\d{3})");

    public static Optional<StatusRange> parse(String text) {
        String value = text.strip().toLowerCase(java.util.Locale.ROOT);
        Matcher cls = CLASS.matcher(value);
        if (cls.matches()) {
            int hundreds = Integer.parseInt(cls.group(1)) * 100;
            return Optional.of(new StatusRange(hundreds, hundreds + 99));
        }
        Matcher range = RANGE.matcher(value);
        if (range.matches()) {
            return Optional.of(new StatusRange(Integer.parseInt(range.group(1)), Integer.parseInt(range.group(2))))
                    .filter(StatusRange::isValid);
        }
        if (value.matches("\\d{3}")) {
            return Optional.of(new StatusRange(Integer.parseInt(value), Integer.parseInt(value))).filter(StatusRange::isValid);
        }
        return Optional.empty();
    }

    public boolean isValid() {
        return low >= 100 && high <= 599 && low <= high;
    }

    public boolean contains(int status) {
        return status >= low && status <= high;
    }

    @JsonValue
    public Object json() {
        if (low == high) {
            return low;
        }
        if (low % 100 == 0 && high == low + 99) {
            return (low / 100) + "xx";
        }
        return low + "-" + high;
    }
}

package dev.faultline;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

/**
 * Durations as people write them in experiments ({@code 500ms}, {@code 2s}, {@code 1m30s},
 * {@code 1.5h}) and as ISO-8601 ({@code PT30S}), written back in the short form.
 */
public final class Durations {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h|d))+");

    private Durations() {
    }

    /** The duration, or empty when the text is neither the short form nor ISO-8601. */
    public static Optional<Duration> parse(String text) {
        String value = text.strip();
        if (value.startsWith("P") || value.startsWith("p")) {
            try {
                return Optional.of(Duration.parse(value));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        if (!WHOLE.matcher(value).matches()) {
            return Optional.empty();
        }
        BigDecimal millis = BigDecimal.ZERO;
        Matcher part = PART.matcher(value);
        while (part.find()) {
            BigDecimal amount = new BigDecimal(part.group(1));
            millis = millis.add(amount.multiply(BigDecimal.valueOf(switch (part.group(2)) {
                case "ms" -> 1L;
                case "s" -> 1_000L;
                case "m" -> 60_000L;
                case "h" -> 3_600_000L;
                default -> 86_400_000L;
            })));
        }
        return Optional.of(Duration.ofNanos(millis.movePointRight(6).longValue()));
    }

    /** The short form: {@code 1h30m}, {@code 2s}, {@code 1s500ms}, {@code 0s}. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        StringBuilder text = new StringBuilder(duration.isNegative() ? "-" : "");
        Duration rest = duration.abs();
        append(text, rest.toHours(), "h");
        append(text, rest.toMinutesPart(), "m");
        append(text, rest.toSecondsPart(), "s");
        append(text, rest.toMillisPart(), "ms");
        return text.toString();
    }

    private static void append(StringBuilder text, long amount, String unit) {
        if (amount > 0) {
            text.append(amount).append(unit);
        }
    }

    /** Writes a {@link Duration} field in the short form. */
    public static final class Json extends StdSerializer<Duration> {
        public Json() {
            super(Duration.class);
        }

        @Override
        public void serialize(Duration value, JsonGenerator generator, SerializerProvider provider) throws IOException {
            generator.writeString(format(value));
        }
    }
}

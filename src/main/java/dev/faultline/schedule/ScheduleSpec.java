package dev.faultline.schedule;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.quartz.CronExpression;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.experiment.spec.Durations;
import dev.faultline.experiment.spec.FieldError;
import dev.faultline.experiment.spec.InvalidDocumentException;

/**
 * A schedule as written: {@code {"name", "experiment", "cron", "timeZone", "window": {"days",
 * "from", "to"}, "blackouts": [{"from", "to", "reason"}], "jitter", "paused"}}. {@code cron} is
 * Quartz's syntax with seconds first ({@code 0 0/5 * * * ?}).
 */
public record ScheduleSpec(String name, String experiment, String cron, ZoneId timeZone, Window window, List<Blackout> blackouts,
        Duration jitter, boolean paused) {

    static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Set<String> FIELDS = Set.of("name", "experiment", "cron", "timeZone", "window", "blackouts", "jitter", "paused",
            "nextFires", "history", "status");
    private static final Duration MAX_JITTER = Duration.ofHours(1);

    /** When fires may start runs: these days, from {@code from} until {@code to} (past midnight when {@code to} is earlier). */
    public record Window(Set<DayOfWeek> days, LocalTime from, LocalTime to) {

        boolean contains(ZonedDateTime at) {
            LocalTime time = at.toLocalTime();
            boolean inTime = from.isBefore(to) ? !time.isBefore(from) && time.isBefore(to) : !time.isBefore(from) || time.isBefore(to);
            return days.contains(at.getDayOfWeek()) && inTime;
        }

        String describe() {
            return (days.size() == 7 ? "every day" : days.stream().map(d -> d.name().substring(0, 3)).toList().toString())
                    + " " + from + "–" + to;
        }
    }

    /** A change freeze: fires in [from, to) are skipped and recorded with the reason. */
    public record Blackout(Instant from, Instant to, String reason) {
    }

    /** Why a fire at {@code at} would start no run (paused aside), or empty when it would. */
    Optional<String> skipReason(Instant at) {
        for (Blackout blackout : blackouts) {
            if (!at.isBefore(blackout.from()) && at.isBefore(blackout.to())) {
                return Optional.of("blackout" + (blackout.reason() == null ? "" : ": " + blackout.reason()) + " (until " + blackout.to() + ")");
            }
        }
        if (window != null && !window.contains(at.atZone(timeZone))) {
            return Optional.of("outside its window (" + window.describe() + " " + timeZone + ")");
        }
        return Optional.empty();
    }

    CronExpression cronExpression() {
        try {
            CronExpression expression = new CronExpression(cron);
            expression.setTimeZone(java.util.TimeZone.getTimeZone(timeZone));
            return expression;
        } catch (java.text.ParseException e) {
            throw new IllegalStateException("a validated cron expression does not parse: " + cron, e);
        }
    }

    /**
     * Reads and checks a schedule document; {@code pathName} is the name in the path (PUT) when
     * there is one. Every problem is reported with its field.
     */
    static ScheduleSpec read(JsonNode document, String pathName) {
        List<FieldError> errors = new ArrayList<>();
        DocumentFields.checkShape(document, "schedule", FIELDS, "name, experiment, cron, timeZone, window, blackouts, jitter, paused", errors);
        String name = DocumentFields.name(document, pathName, errors);
        String experiment = text(document, "experiment", errors);
        if (experiment != null && !NAME.matcher(experiment).matches()) {
            errors.add(new FieldError("experiment", "must name an experiment (a DNS label)"));
        }
        ZoneId zone = DocumentFields.timeZone(document, errors);
        String cron = text(document, "cron", errors);
        if (cron != null) {
            try {
                new CronExpression(cron);
            } catch (java.text.ParseException e) {
                errors.add(new FieldError("cron", "is not a Quartz cron expression (seconds first, e.g. \"0 0/5 * * * ?\"): " + e.getMessage()));
            }
        }
        Window window = document.hasNonNull("window") ? window(document.get("window"), errors) : null;
        List<Blackout> blackouts = blackouts(document.get("blackouts"), zone, errors);
        Duration jitter = Duration.ZERO;
        if (document.hasNonNull("jitter")) {
            Optional<Duration> parsed = Durations.parse(document.get("jitter").asText());
            if (parsed.isEmpty() || parsed.get().isNegative() || parsed.get().compareTo(MAX_JITTER) > 0) {
                errors.add(new FieldError("jitter", "must be a duration from 0s to 1h, such as 30s or PT30S"));
            } else {
                jitter = parsed.get();
            }
        }
        boolean paused = false;
        if (document.hasNonNull("paused")) {
            if (!document.get("paused").isBoolean()) {
                errors.add(new FieldError("paused", "must be true or false"));
            } else {
                paused = document.get("paused").asBoolean();
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
        return new ScheduleSpec(name, experiment, cron, zone, window, blackouts, jitter, paused);
    }

    private static String text(JsonNode document, String field, List<FieldError> errors) {
        JsonNode node = document.get(field);
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            errors.add(new FieldError(field, "is required"));
            return null;
        }
        return node.asText().strip();
    }

    private static Window window(JsonNode node, List<FieldError> errors) {
        if (!node.isObject()) {
            errors.add(new FieldError("window", "must be an object: {days, from, to}"));
            return null;
        }
        Set<DayOfWeek> days = EnumSet.allOf(DayOfWeek.class);
        if (node.has("days")) {
            days = EnumSet.noneOf(DayOfWeek.class);
            JsonNode given = node.get("days");
            for (int i = 0; given.isArray() && i < given.size(); i++) {
                Optional<DayOfWeek> day = day(given.get(i).asText());
                if (day.isEmpty()) {
                    errors.add(new FieldError("window.days[" + i + "]", "must be MON, TUE, WED, THU, FRI, SAT or SUN"));
                } else {
                    days.add(day.get());
                }
            }
            if (!given.isArray() || given.isEmpty()) {
                errors.add(new FieldError("window.days", "must list at least one day, such as [MON, TUE, WED, THU, FRI]"));
            }
        }
        LocalTime from = time(node, "from", errors);
        LocalTime to = time(node, "to", errors);
        if (from != null && from.equals(to)) {
            errors.add(new FieldError("window.to", "must differ from window.from"));
        }
        return from == null || to == null ? null : new Window(days, from, to);
    }

    private static Optional<DayOfWeek> day(String text) {
        for (DayOfWeek day : DayOfWeek.values()) {
            if (day.name().startsWith(text.toUpperCase(Locale.ROOT)) && text.length() >= 3) {
                return Optional.of(day);
            }
        }
        return Optional.empty();
    }

    private static LocalTime time(JsonNode window, String field, List<FieldError> errors) {
        try {
            return LocalTime.parse(window.path(field).asText());
        } catch (DateTimeParseException e) {
            errors.add(new FieldError("window." + field, "must be a time of day such as 10:00"));
            return null;
        }
    }

    private static List<Blackout> blackouts(JsonNode node, ZoneId zone, List<FieldError> errors) {
        List<Blackout> blackouts = new ArrayList<>();
        if (node == null || node.isNull()) {
            return blackouts;
        }
        if (!node.isArray()) {
            errors.add(new FieldError("blackouts", "must be a list of {from, to, reason}"));
            return blackouts;
        }
        for (int i = 0; i < node.size(); i++) {
            String path = "blackouts[" + i + "]";
            Instant from = instant(node.get(i).path("from"), zone, false, path + ".from", errors);
            Instant to = instant(node.get(i).path("to"), zone, true, path + ".to", errors);
            if (from != null && to != null && !to.isAfter(from)) {
                errors.add(new FieldError(path + ".to", "must be after from"));
            }
            String reason = node.get(i).hasNonNull("reason") ? node.get(i).get("reason").asText() : null;
            if (from != null && to != null) {
                blackouts.add(new Blackout(from, to, reason));
            }
        }
        return blackouts;
    }

    /** An instant ({@code 2026-12-20T00:00:00Z}), a local date-time or a date (in the schedule's zone; a date as {@code to} ends with its day). */
    private static Instant instant(JsonNode node, ZoneId zone, boolean end, String path, List<FieldError> errors) {
        String text = node.asText("");
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException notOffset) {
            try {
                return LocalDateTime.parse(text).atZone(zone).toInstant();
            } catch (DateTimeParseException notLocal) {
                try {
                    LocalDate date = LocalDate.parse(text);
                    return (end ? date.plusDays(1) : date).atStartOfDay(zone).toInstant();
                } catch (DateTimeParseException notDate) {
                    errors.add(new FieldError(path, "must be a date (2026-12-20), a local date-time (2026-12-20T08:00) or an instant"));
                    return null;
                }
            }
        }
    }
}

package dev.faultline.schedule;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.quartz.CronExpression;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.Names;
import dev.faultline.FieldError;
import dev.faultline.FieldReader;
import dev.faultline.InvalidDocumentException;
import dev.faultline.Durations;

/**
 * A schedule as written: {@code {"name", "experiment", "cron", "timeZone", "window": {"days",
 * "from", "to"}, "blackouts": [{"from", "to", "reason"}], "jitter", "paused"}}. {@code cron} is
 * Quartz's syntax with seconds first ({@code 0 0/5 * * * ?}).
 */
public record ScheduleSpec(String name, String experiment, String cron, ZoneId timeZone, Window window, List<Blackout> blackouts,
        Duration jitter, boolean paused) {

    /** What the API adds on reading a schedule: not part of it, and not kept. */
    static final Set<String> SHOWN = Set.of("nextFires", "history", "status");
    private static final String MOMENT = "must be a date (2026-12-20), a local date-time (2026-12-20T08:00) or an instant";
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
        FieldReader r = DocumentFields.reader(document, "schedule", SHOWN, errors);
        String name = DocumentFields.name(r, pathName);
        String experiment = r.text("experiment", true);
        if (experiment != null && !Names.isDnsLabel(experiment.strip())) {
            r.error("experiment", "must name an experiment (a DNS label)");
        }
        ZoneId zone = DocumentFields.timeZone(r);
        String cron = r.text("cron", true);
        if (cron != null) {
            try {
                new CronExpression(cron.strip());
            } catch (java.text.ParseException e) {
                errors.add(new FieldError("cron", "is not a Quartz cron expression (seconds first, e.g. \"0 0/5 * * * ?\"): " + e.getMessage()));
            }
        }
        if (r.has("window")) {
            checkWindow(document.get("window"), errors);
        }
        if (r.has("blackouts")) {
            checkBlackouts(document.get("blackouts"), zone, errors);
        }
        if (r.has("jitter")) {
            Optional<Duration> parsed = Durations.parse(document.get("jitter").asText());
            if (parsed.isEmpty() || parsed.get().isNegative() || parsed.get().compareTo(MAX_JITTER) > 0) {
                errors.add(new FieldError("jitter", "must be a duration from 0s to 1h, such as 30s or PT30S"));
            }
        }
        r.bool("paused");
        r.finish();
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
        return stored(name, document);
    }

    /** A kept schedule: it was checked when written, so its fields are read without checking them again. */
    static ScheduleSpec stored(String name, JsonNode document) {
        ZoneId zone = DocumentFields.timeZone(document);
        JsonNode window = document.get("window");
        List<Blackout> blackouts = new ArrayList<>();
        for (JsonNode blackout : document.path("blackouts")) {
            blackouts.add(new Blackout(moment(blackout, "from", zone).orElseThrow(), moment(blackout, "to", zone).orElseThrow(),
                    blackout.hasNonNull("reason") ? blackout.get("reason").asText() : null));
        }
        return new ScheduleSpec(name, document.get("experiment").asText().strip(), document.get("cron").asText().strip(), zone,
                window == null || window.isNull() ? null : new Window(days(window), time(window, "from").orElseThrow(),
                        time(window, "to").orElseThrow()),
                blackouts, document.hasNonNull("jitter") ? Durations.parse(document.get("jitter").asText()).orElseThrow() : Duration.ZERO,
                document.path("paused").asBoolean(false));
    }

    private static void checkWindow(JsonNode node, List<FieldError> errors) {
        if (!node.isObject()) {
            errors.add(new FieldError("window", "must be an object: {days, from, to}"));
            return;
        }
        if (node.has("days")) {
            JsonNode given = node.get("days");
            for (int i = 0; given.isArray() && i < given.size(); i++) {
                if (day(given.get(i).asText()).isEmpty()) {
                    errors.add(new FieldError("window.days[" + i + "]", "must be MON, TUE, WED, THU, FRI, SAT or SUN"));
                }
            }
            if (!given.isArray() || given.isEmpty()) {
                errors.add(new FieldError("window.days", "must list at least one day, such as [MON, TUE, WED, THU, FRI]"));
            }
        }
        Optional<LocalTime> from = time(node, "from");
        Optional<LocalTime> to = time(node, "to");
        if (from.isEmpty()) {
            errors.add(new FieldError("window.from", "must be a time of day such as 10:00"));
        }
        if (to.isEmpty()) {
            errors.add(new FieldError("window.to", "must be a time of day such as 10:00"));
        }
        if (from.isPresent() && from.equals(to)) {
            errors.add(new FieldError("window.to", "must differ from window.from"));
        }
    }

    /** The window's days: every day when it names none. */
    private static Set<DayOfWeek> days(JsonNode window) {
        if (!window.has("days")) {
            return EnumSet.allOf(DayOfWeek.class);
        }
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        window.get("days").forEach(day -> days.add(day(day.asText()).orElseThrow()));
        return days;
    }

    private static Optional<DayOfWeek> day(String text) {
        for (DayOfWeek day : DayOfWeek.values()) {
            if (day.name().startsWith(text.toUpperCase(Locale.ROOT)) && text.length() >= 3) {
                return Optional.of(day);
            }
        }
        return Optional.empty();
    }

    private static Optional<LocalTime> time(JsonNode window, String field) {
        try {
            return Optional.of(LocalTime.parse(window.path(field).asText()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static void checkBlackouts(JsonNode node, ZoneId zone, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return;
        }
        if (!node.isArray()) {
            errors.add(new FieldError("blackouts", "must be a list of {from, to, reason}"));
            return;
        }
        for (int i = 0; i < node.size(); i++) {
            String path = "blackouts[" + i + "]";
            Optional<Instant> from = moment(node.get(i), "from", zone);
            Optional<Instant> to = moment(node.get(i), "to", zone);
            if (from.isEmpty()) {
                errors.add(new FieldError(path + ".from", MOMENT));
            }
            if (to.isEmpty()) {
                errors.add(new FieldError(path + ".to", MOMENT));
            }
            if (from.isPresent() && to.isPresent() && !to.get().isAfter(from.get())) {
                errors.add(new FieldError(path + ".to", "must be after from"));
            }
        }
    }

    /** A blackout's {@code from} or {@code to}, in the schedule's zone; a date as {@code to} ends with its day. */
    private static Optional<Instant> moment(JsonNode blackout, String field, ZoneId zone) {
        return DocumentFields.instantOrDay(blackout.path(field).asText(""), zone, field.equals("to"));
    }
}

package dev.faultline.ui;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.checkbox.CheckboxGroup;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.H5;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.component.timepicker.TimePicker;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;

import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.PolicyDeniedException;
import dev.faultline.ResourceConflictException;
import dev.faultline.experiment.ExperimentService;
import dev.faultline.schedule.GameDayService;
import dev.faultline.schedule.GameDayView;
import dev.faultline.schedule.ScheduleService;
import dev.faultline.schedule.ScheduleView;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Schedules: each one's next fires and history, a form to create or change one (cron, time zone,
 * active window, blackouts, jitter), pause and resume; and a calendar of the week to come with
 * every fire and game day in it.
 */
@Route("schedules")
@PageTitle("Schedules · Faultline")
@RolesAllowed(Role.VIEWER_NAME)
public class SchedulesView extends VerticalLayout {

    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH:mm");
    private static final int CALENDAR_DAYS = 7;
    /** Fires of one schedule shown on one calendar day; the rest are counted. */
    private static final int FIRES_PER_DAY = 4;
    private static final List<String> DAYS = Arrays.stream(DayOfWeek.values()).map(d -> d.name().substring(0, 3)).toList();

    private final ScheduleService schedules;
    private final GameDayService gameDays;
    private final UiActions actions;
    private final Caller user;
    private final ZoneId zone = BrowserTime.zone();

    private final Grid<ScheduleView> grid = new Grid<>();
    private final VerticalLayout details = new VerticalLayout();
    private final Div calendar = new Div();
    private final TextField name = new TextField("Name");
    private final ComboBox<String> experiment = new ComboBox<>("Experiment");
    private final TextField cron = new TextField("Cron");
    private final ComboBox<String> timeZone = new ComboBox<>("Time zone");
    private final CheckboxGroup<String> days = new CheckboxGroup<>("Active on");
    private final TimePicker from = new TimePicker("From");
    private final TimePicker to = new TimePicker("To");
    private final TextArea blackouts = new TextArea("Blackouts");
    private final TextField jitter = new TextField("Jitter");
    private final FieldErrors errors = new FieldErrors("schedule-errors");

    public SchedulesView(ScheduleService schedules, GameDayService gameDays, ExperimentService experiments, SecurityIdentity identity,
            UiActions actions) {
        this.schedules = schedules;
        this.gameDays = gameDays;
        this.user = CurrentUser.of(identity);
        this.actions = actions;

        grid.setId("schedules");
        grid.addColumn(ScheduleView::name).setHeader("Name").setAutoWidth(true);
        grid.addColumn(ScheduleView::experiment).setHeader("Experiment").setAutoWidth(true);
        grid.addColumn(s -> s.cron() + " (" + s.timeZone() + ")").setHeader("When").setAutoWidth(true);
        grid.addColumn(s -> s.paused() ? "paused" : s.nextFires().stream().findFirst()
                .map(f -> BrowserTime.minutes(f.at()) + (f.skipped() == null ? "" : " (skipped)")).orElse("never")).setHeader("Next fire")
                .setAutoWidth(true);
        grid.addColumn(s -> s.history().stream().findFirst().map(f -> BrowserTime.minutes(f.at()) + " → "
                + (f.run() != null ? "run " + f.run() : whyNoRun(f))).orElse("")).setHeader("Last fire").setFlexGrow(2);
        grid.addThemeVariants(GridVariant.LUMO_COMPACT);
        grid.setAllRowsVisible(true);
        grid.setEmptyStateText("No schedule yet.");
        grid.asSingleSelect().addValueChangeListener(change -> showDetails(change.getValue()));
        details.setId("schedule-details");
        details.addClassName("card");
        details.setVisible(false);

        name.setId("schedule-name");
        experiment.setId("schedule-experiment");
        experiment.setItems(experiments.list(Optional.empty(), Optional.empty()).stream().map(saved -> saved.experiment().name()).toList());
        cron.setId("schedule-cron");
        cron.setLabel("Cron (Quartz, seconds first)");
        cron.setPlaceholder("0 0 10 ? * MON-FRI");
        timeZone.setId("schedule-zone");
        timeZone.setItems(ZoneId.getAvailableZoneIds().stream().sorted().toList());
        timeZone.setValue(zone.getId());
        days.setId("schedule-days");
        days.setItems(DAYS);
        days.setHelperText("none ticked: every day; with a window, only between From and To");
        from.setId("schedule-from");
        to.setId("schedule-to");
        blackouts.setId("schedule-blackouts");
        blackouts.setHelperText("One per line: from, to and a reason; dates or date-times, e.g. 2026-12-21 2027-01-04 year-end freeze");
        blackouts.setWidthFull();
        jitter.setId("schedule-jitter");
        jitter.setPlaceholder("e.g. 30s");
        errors.on("name", name).on("experiment", experiment).on("cron", cron).on("timeZone", timeZone).on("window", days)
                .on("window.from", from).on("window.to", to).on("blackouts", blackouts).on("jitter", jitter);

        FormLayout form = new FormLayout();
        form.setResponsiveSteps(new FormLayout.ResponsiveStep("0", 1), new FormLayout.ResponsiveStep("700px", 4));
        form.add(name, experiment, cron, timeZone);
        form.add(days, 2);
        form.add(from, to);
        form.add(blackouts, 3);
        form.add(jitter);
        Button save = new Button("Save schedule", click -> save());
        save.setId("save-schedule");
        save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        Button clear = new Button("Clear", click -> fill(null));
        VerticalLayout editor = new VerticalLayout(new H3("Create or change a schedule"), form, errors.others(), new HorizontalLayout(save,
                clear));
        editor.addClassName("card");
        editor.setVisible(user.has(Role.EXPERIMENTER));

        calendar.setId("schedule-calendar");
        calendar.addClassName("calendar");
        add(new H2("Schedules"), grid, details, new H3("The week to come (" + zone.getId() + ")"), calendar, editor);
        setWidthFull();
        refresh();
    }

    private void refresh() {
        grid.setItems(schedules.list());
        showCalendar();
    }

    // ---- calendar -------------------------------------------------------------------------------

    private void showCalendar() {
        calendar.removeAll();
        LocalDate today = LocalDate.now(zone);
        Instant start = today.atStartOfDay(zone).toInstant();
        Instant end = today.plusDays(CALENDAR_DAYS).atStartOfDay(zone).toInstant();
        Map<LocalDate, Div> columns = new LinkedHashMap<>();
        for (int i = 0; i < CALENDAR_DAYS; i++) {
            LocalDate date = today.plusDays(i);
            Div column = new Div(new H5(date.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH) + " " + date.getDayOfMonth()));
            column.addClassName("calendar-day");
            column.getElement().setAttribute("data-date", date.toString());
            columns.put(date, column);
            calendar.add(column);
        }
        for (GameDayView day : gameDays.list()) {
            if (!day.startAt().isBefore(start) && day.startAt().isBefore(end) && List.of("PLANNED", "APPROVED", "RUNNING").contains(day.state())) {
                ZonedDateTime at = day.startAt().atZone(zone);
                columns.get(at.toLocalDate()).add(event(HOUR.format(at) + " " + day.title() + " (" + day.state().toLowerCase(Locale.ROOT) + ")",
                        "gameday", "game day " + day.name()));
            }
        }
        Map<LocalDate, Map<String, List<ScheduleService.Upcoming>>> byDay = new LinkedHashMap<>();
        for (ScheduleService.Upcoming fire : schedules.upcoming(Instant.now(), end, zone, FIRES_PER_DAY + 1)) {
            byDay.computeIfAbsent(fire.fire().at().atZone(zone).toLocalDate(), d -> new LinkedHashMap<>())
                    .computeIfAbsent(fire.schedule(), name -> new ArrayList<>()).add(fire);
        }
        byDay.forEach((date, bySchedule) -> bySchedule.forEach((schedule, fires) -> {
            fires.stream().limit(FIRES_PER_DAY).forEach(fire -> columns.get(date).add(event(HOUR.format(fire.fire().at().atZone(zone)) + " "
                    + schedule, fire.fire().skipped() == null ? "fire" : "skipped", fire.experiment()
                    + (fire.fire().skipped() == null ? "" : ": skipped, " + fire.fire().skipped()))));
            if (fires.size() > FIRES_PER_DAY) {
                columns.get(date).add(event("… more of " + schedule, "more", "fires more often than shown"));
            }
        }));
    }

    private static Div event(String text, String kind, String title) {
        Div event = new Div(text);
        event.addClassNames("calendar-event", kind);
        event.setTitle(title);
        return event;
    }

    // ---- details ----------------------------------------------------------------------------------

    private void showDetails(ScheduleView schedule) {
        details.removeAll();
        details.setVisible(schedule != null);
        if (schedule == null) {
            return;
        }
        details.add(new H3(schedule.name() + (schedule.paused() ? " (paused)" : "")));
        details.add(new Span("Runs " + schedule.experiment() + " on " + schedule.cron() + " in " + schedule.timeZone()
                + (schedule.window() == null ? "" : ", only " + schedule.window().path("days") + " " + schedule.window().path("from").asText()
                        + "–" + schedule.window().path("to").asText())
                + (schedule.jitter() == null ? "" : ", up to " + schedule.jitter() + " late")));
        Grid<ScheduleView.Fire> history = new Grid<>();
        history.setId("schedule-history");
        history.addColumn(f -> BrowserTime.minutes(f.scheduledFor())).setHeader("Scheduled for").setAutoWidth(true);
        history.addComponentColumn(f -> f.run() == null ? refusedOrSkipped(f) : new Anchor("runs/" + f.run(), "run " + f.run()))
                .setHeader("Outcome").setFlexGrow(2);
        history.addColumn(ScheduleView.Fire::instance).setHeader("Instance").setAutoWidth(true);
        history.setItems(schedule.history());
        history.setAllRowsVisible(true);
        history.addThemeVariants(GridVariant.LUMO_COMPACT);
        history.setEmptyStateText("It has not fired yet.");
        details.add(new H5("History"), history);
        HorizontalLayout buttons = new HorizontalLayout();
        if (user.has(Role.EXPERIMENTER)) {
            Button pause = new Button(schedule.paused() ? "Resume" : "Pause", click -> act(schedule, schedule.paused() ? "resume" : "pause",
                    () -> schedules.setPaused(user, schedule.name(), !schedule.paused())));
            pause.setId("pause-schedule");
            Button edit = new Button("Edit", click -> fill(schedule));
            edit.setId("edit-schedule");
            Button delete = new Button("Delete", click -> act(schedule, "", () -> schedules.delete(user, schedule.name())));
            delete.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_TERTIARY);
            buttons.add(pause, edit, delete);
        }
        details.add(buttons);
    }

    /** Why a past fire started no run; a refusal (whoever it fires for may no longer run it) says so first. */
    private static String whyNoRun(ScheduleView.Fire fire) {
        return fire.refused() != null ? "refused: " + fire.refused() : fire.skipped();
    }

    private static Span refusedOrSkipped(ScheduleView.Fire fire) {
        Span outcome = new Span(whyNoRun(fire));
        if (fire.refused() != null) {
            outcome.addClassName("refused");
            outcome.getElement().getThemeList().addAll(List.of("badge", "error"));
        }
        return outcome;
    }

    private void act(ScheduleView schedule, String verb, Runnable action) {
        actions.attempt(action, verb.isEmpty() ? "Deleted" : verb.equals("pause") ? "Paused" : "Resumed");
        refresh();
        schedules.find(schedule.name()).ifPresentOrElse(grid::select, () -> showDetails(null));
    }

    /** Blackouts are lines of the text area: their errors say which line. */
    private static FieldError byLine(FieldError error) {
        java.util.regex.Matcher blackout = java.util.regex.Pattern.compile("blackouts\\[(\\d+)]\\.?(.*)").matcher(error.path());
        return blackout.matches() ? new FieldError("blackouts", "line " + (Integer.parseInt(blackout.group(1)) + 1) + " "
                + blackout.group(2) + ": " + error.message()) : error;
    }

    // ---- form -----------------------------------------------------------------------------------------

    private void fill(ScheduleView schedule) {
        errors.clear();
        name.setValue(schedule == null ? "" : schedule.name());
        experiment.setValue(schedule == null ? null : schedule.experiment());
        cron.setValue(schedule == null ? "" : schedule.cron());
        timeZone.setValue(schedule == null ? zone.getId() : schedule.timeZone());
        JsonNode window = schedule == null || schedule.window() == null ? JsonNodeFactory.instance.objectNode() : schedule.window();
        List<String> active = new ArrayList<>();
        window.path("days").forEach(day -> active.add(day.asText()));
        days.setValue(new java.util.LinkedHashSet<>(active));
        from.setValue(window.hasNonNull("from") ? LocalTime.parse(window.get("from").asText()) : null);
        to.setValue(window.hasNonNull("to") ? LocalTime.parse(window.get("to").asText()) : null);
        List<String> lines = new ArrayList<>();
        if (schedule != null && schedule.blackouts() != null) {
            schedule.blackouts().forEach(b -> lines.add((b.path("from").asText() + " " + b.path("to").asText() + " "
                    + b.path("reason").asText("")).strip()));
        }
        blackouts.setValue(String.join("\n", lines));
        jitter.setValue(schedule == null || schedule.jitter() == null ? "" : schedule.jitter());
        name.focus();
    }

    /** The schedule document the form describes. */
    private ObjectNode document() {
        ObjectNode document = JsonNodeFactory.instance.objectNode();
        document.put("name", name.getValue().strip());
        if (experiment.getValue() != null) {
            document.put("experiment", experiment.getValue());
        }
        document.put("cron", cron.getValue().strip());
        if (timeZone.getValue() != null) {
            document.put("timeZone", timeZone.getValue());
        }
        if (!days.getValue().isEmpty() || from.getValue() != null || to.getValue() != null) {
            ObjectNode window = document.putObject("window");
            if (!days.getValue().isEmpty()) {
                ArrayNode dayList = window.putArray("days");
                DAYS.stream().filter(days.getValue()::contains).forEach(dayList::add);
            }
            window.put("from", from.getValue() == null ? "" : from.getValue().toString());
            window.put("to", to.getValue() == null ? "" : to.getValue().toString());
        }
        ArrayNode blackoutList = document.putArray("blackouts");
        for (String line : blackouts.getValue().split("\n")) {
            String[] parts = line.strip().split("\\s+", 3);
            if (parts[0].isEmpty()) {
                continue;
            }
            ObjectNode blackout = blackoutList.addObject().put("from", parts[0]).put("to", parts.length > 1 ? parts[1] : "");
            if (parts.length > 2) {
                blackout.put("reason", parts[2]);
            }
        }
        if (!jitter.getValue().isBlank()) {
            document.put("jitter", jitter.getValue().strip());
        }
        return document;
    }

    private void save() {
        ObjectNode document = document();
        String scheduleName = document.path("name").asText();
        errors.clear();
        try {
            schedules.put(user, null, document);
            com.vaadin.flow.component.notification.Notification.show("Saved schedule " + scheduleName, 3000,
                    com.vaadin.flow.component.notification.Notification.Position.TOP_CENTER)
                    .addThemeVariants(com.vaadin.flow.component.notification.NotificationVariant.LUMO_SUCCESS);
            refresh();
            schedules.find(scheduleName).ifPresent(grid::select);
        } catch (InvalidDocumentException e) {
            errors.show(e.errors().stream().map(SchedulesView::byLine).toList());
        } catch (PolicyDeniedException | ResourceConflictException e) {
            errors.show("experiment", e.getMessage());
        }
    }
}

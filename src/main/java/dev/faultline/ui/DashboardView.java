package dev.faultline.ui;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.security.PermitAll;

import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;

import dev.faultline.run.CheckKind;
import dev.faultline.run.Run;
import dev.faultline.run.RunService;
import dev.faultline.run.RunState;
import dev.faultline.schedule.GameDayService;
import dev.faultline.schedule.GameDayView;
import dev.faultline.schedule.ScheduleService;

/** What is going on: live runs with their worst guardrail, recent aborts and why, what fires next. */
@Route("")
@PageTitle("Dashboard · Faultline")
@PermitAll
public class DashboardView extends VerticalLayout {

    private final RunService runs;
    private final ScheduleService schedules;
    private final GameDayService gameDays;
    private final Grid<Run> live = new Grid<>();
    private final Grid<Run> aborts = new Grid<>();
    private final Grid<Upcoming> upcoming = new Grid<>();
    /** The newest samples of the live runs shown, read once per refresh. */
    private Map<String, List<Run.Sample>> latest = Map.of();

    /** Something about to happen: a schedule's fire or a game day's start. */
    record Upcoming(Instant at, String what, String note) {
    }

    public DashboardView(RunService runs, ScheduleService schedules, GameDayService gameDays, UiEvents events) {
        this.runs = runs;
        this.schedules = schedules;
        this.gameDays = gameDays;
        events.refreshOnRunEvents(this, this::refresh);
        add(new H2("Dashboard"));

        live.setId("live-runs");
        live.addColumn(Run::experiment).setHeader("Experiment").setAutoWidth(true);
        live.addColumn(run -> run.state().name()).setHeader("State").setAutoWidth(true);
        live.addColumn(Run::startedBy).setHeader("Started by").setAutoWidth(true);
        live.addColumn(run -> run.startedAt() == null ? "" : ago(run.startedAt())).setHeader("Since");
        live.addColumn(this::worstGuardrail).setHeader("Worst guardrail").setFlexGrow(2);
        live.setEmptyStateText("No run is live.");
        live.setAllRowsVisible(true);
        live.addThemeVariants(GridVariant.LUMO_COMPACT);

        aborts.setId("recent-aborts");
        aborts.addColumn(Run::experiment).setHeader("Experiment").setAutoWidth(true);
        aborts.addColumn(run -> run.endedAt() == null ? "" : BrowserTime.seconds(run.endedAt())).setHeader("Ended").setAutoWidth(true);
        aborts.addColumn(Run::reason).setHeader("Reason").setFlexGrow(3);
        aborts.setEmptyStateText("No aborts yet.");
        aborts.setAllRowsVisible(true);
        aborts.addThemeVariants(GridVariant.LUMO_COMPACT);

        upcoming.setId("upcoming");
        upcoming.addColumn(u -> BrowserTime.seconds(u.at())).setHeader("When").setAutoWidth(true);
        upcoming.addColumn(Upcoming::what).setHeader("What").setAutoWidth(true);
        upcoming.addColumn(Upcoming::note).setHeader("Note").setFlexGrow(2);
        upcoming.setEmptyStateText("Nothing scheduled.");
        upcoming.setAllRowsVisible(true);
        upcoming.addThemeVariants(GridVariant.LUMO_COMPACT);

        add(section("Live runs", live), section("Recent aborts", aborts), section("Next fires and game days", upcoming));
        setWidthFull();
        refresh();
    }

    private static VerticalLayout section(String title, Grid<?> grid) {
        VerticalLayout section = new VerticalLayout(new H3(title), grid);
        section.addClassName("card");
        section.setPadding(true);
        return section;
    }

    void refresh() {
        List<Run> recent = runs.list(Optional.empty(), Optional.empty(), 200);
        List<Run> liveRuns = recent.stream().filter(run -> !run.state().isTerminal()).toList();
        latest = runs.latestSamples(liveRuns.stream().map(Run::id).toList()); // one query for every live run's row
        live.setItems(liveRuns);
        aborts.setItems(runs.list(Optional.empty(), Optional.of(RunState.ABORTED), 10));
        List<Upcoming> next = new ArrayList<>();
        schedules.list().forEach(schedule -> schedule.nextFires().stream().limit(2).forEach(fire -> next.add(new Upcoming(fire.at(),
                "schedule " + schedule.name() + " → " + schedule.experiment(), fire.skipped() == null ? "" : "skipped: " + fire.skipped()))));
        gameDays.list().stream().filter(day -> List.of("PLANNED", "APPROVED").contains(day.state()))
                .forEach(day -> next.add(new Upcoming(day.startAt(), "game day " + day.title(), gameDayNote(day))));
        next.sort(Comparator.comparing(Upcoming::at));
        upcoming.setItems(next.stream().limit(10).toList());
    }

    private static String gameDayNote(GameDayView day) {
        return "APPROVED".equals(day.state()) ? "approved by " + day.approval().by() : "awaiting approval";
    }

    /** The guardrail whose latest check went worst: failed ones first, with value and threshold. */
    private String worstGuardrail(Run run) {
        Map<String, Run.Sample> checks = new LinkedHashMap<>();
        latest.getOrDefault(run.id(), List.of()).stream().filter(s -> s.kind() == CheckKind.GUARDRAIL).forEach(s -> checks.put(s.check(), s));
        if (checks.isEmpty()) {
            return "no check yet";
        }
        return checks.values().stream().filter(s -> !s.passed()).findFirst()
                .map(s -> "failing: " + name(run, s) + " = " + s.value() + " (" + s.threshold() + ")")
                .orElse("all " + checks.size() + " passing");
    }

    private static String name(Run run, Run.Sample sample) {
        int index = CheckKind.index(sample.check());
        return run.document() == null ? sample.check() : run.document().path("spec").path("guardrails").path(index).path("name").asText();
    }

    private static String ago(Instant at) {
        Duration since = Duration.between(at, Instant.now());
        return since.toMinutes() > 0 ? since.toMinutes() + " min ago" : since.toSeconds() + " s ago";
    }
}

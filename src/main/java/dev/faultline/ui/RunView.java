package dev.faultline.ui;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.annotation.security.PermitAll;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.shared.Registration;

import dev.faultline.Durations;
import dev.faultline.resilience.FindingService;
import dev.faultline.run.CheckKind;
import dev.faultline.run.Run;
import dev.faultline.run.RunFollower;
import dev.faultline.run.RunService;
import dev.faultline.run.RunState;
import dev.faultline.run.TimelineKind;
import dev.faultline.security.Caller;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * One run as it happens: state and verdict, a chart per guardrail and probe with its threshold and
 * the moment of an abort, the timeline, the rules written and removed. While the run is live the
 * page refreshes itself every second (polling), each time reading only the timeline entries and samples
 * stored since the last ({@link RunFollower}) and redrawing the charts that got new samples; an ended
 * run stays as it ended.
 */
@Route("runs/:id")
@PageTitle("Run · Faultline")
@PermitAll
public class RunView extends VerticalLayout implements BeforeEnterObserver {

    private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?(?:[eE]-?\\d+)?");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final RunService runs;
    private final Caller user;
    private final H2 title = new H2();
    private final Span state = new Span();
    private final Paragraph reason = new Paragraph();
    private final Paragraph recovery = new Paragraph();
    private final Button abort = new Button("Abort run");
    private final Div charts = new Div();
    private final Map<String, EChart> chartsByCheck = new LinkedHashMap<>();
    private final Grid<Run.TimelineEntry> timeline = new Grid<>();
    private final Grid<Run.Rule> rules = new Grid<>();
    private final ImpactPanel impact;
    /** The samples the page holds, by check, oldest first; each poll appends what is new. */
    private final Map<String, List<Run.Sample>> samplesByCheck = new LinkedHashMap<>();
    private String runId;
    private RunFollower follower;
    private Instant drawnAbortedAt;
    private boolean live;
    private Registration polling;

    public RunView(RunService runs, FindingService findings, UiActions actions, SecurityIdentity identity) {
        this.runs = runs;
        this.user = CurrentUser.of(identity);
        this.impact = new ImpactPanel(id -> findings.analyse(user, id));
        state.setId("run-state");
        state.getElement().getThemeList().add("badge");
        reason.setId("run-reason");
        recovery.setId("run-recovery");
        abort.setId("abort-run");
        abort.addThemeVariants(ButtonVariant.LUMO_ERROR);
        abort.addClickListener(click -> {
            actions.attempt(() -> runs.abort(user, runId, "from the run page"),
                    "Run aborted; its rules are removed.");
            refresh();
        });
        charts.setId("run-charts");
        charts.getStyle().set("display", "grid").set("grid-template-columns", "repeat(auto-fill, minmax(420px, 1fr))")
                .set("gap", "var(--lumo-space-m)").set("width", "100%");

        timeline.setId("run-timeline");
        timeline.addColumn(entry -> BrowserTime.clock(entry.at())).setHeader("At").setAutoWidth(true);
        timeline.addColumn(Run.TimelineEntry::type).setHeader("Event").setAutoWidth(true);
        timeline.addColumn(Run.TimelineEntry::message).setHeader("").setFlexGrow(3);
        timeline.setAllRowsVisible(true);
        timeline.addThemeVariants(GridVariant.LUMO_COMPACT);

        rules.setId("run-rules");
        rules.addColumn(rule -> rule.namespace() + "/" + rule.name()).setHeader("VirtualService").setAutoWidth(true);
        rules.addColumn(Run.Rule::route).setHeader("Route").setAutoWidth(true);
        rules.addColumn(rule -> BrowserTime.clock(rule.appliedAt())).setHeader("Applied").setAutoWidth(true);
        rules.addColumn(rule -> rule.removedAt() == null ? "still in the mesh" : BrowserTime.clock(rule.removedAt())).setHeader("Removed");
        rules.setAllRowsVisible(true);
        rules.addThemeVariants(GridVariant.LUMO_COMPACT);

        HorizontalLayout header = new HorizontalLayout(title, state);
        header.setAlignItems(Alignment.BASELINE);
        add(header, reason, recovery, abort, charts, impact, new H3("Rules"), rules, new H3("Timeline"), timeline);
        setWidthFull();
    }

    @Override
    public void beforeEnter(BeforeEnterEvent event) {
        open(event.getRouteParameters().get("id").orElse(""));
    }

    /** Shows run {@code id} as it is now (or that there is none). */
    void open(String id) {
        runId = id;
        impact.open(id);
        follower = runs.follow(runId);
        Optional<RunFollower.Update> first = follower.next();
        if (first.isEmpty()) {
            removeAll();
            add(new H2("No run " + runId));
            return;
        }
        Anchor junit = new Anchor("/api/v1/runs/" + runId + "/junit", "JUnit XML");
        junit.setId("run-junit");
        junit.getElement().setAttribute("download", "faultline-run-" + runId + ".xml");
        addComponentAtIndex(3, junit);
        show(first.get());
    }

    /** Reads what is new of the run (the follower reads only the timeline entries and samples stored since the last poll) and shows it. */
    void refresh() {
        if (follower != null) {
            follower.next().ifPresent(this::show);
        }
    }

    private void show(RunFollower.Update update) {
        Run run = update.run();
        title.setText(run.experiment() + " · run " + run.id());
        state.setText(run.state().name());
        state.getElement().getThemeList().removeAll(List.of("success", "error", "contrast"));
        state.getElement().getThemeList().add(switch (run.state()) {
            case COMPLETED -> "success";
            case ABORTED, FAILED, DEVIATED -> "error";
            default -> "contrast";
        });
        reason.setText((run.reason() == null ? "" : run.reason()) + (run.samplesRemovedAt() == null ? ""
                : " · samples removed by retention at " + BrowserTime.minutes(run.samplesRemovedAt()) + "; the charts are empty for that reason"));
        String recovered = recoveryText(run, runs.recoveryWindow(), Instant.now());
        recovery.setText(recovered == null ? "" : recovered);
        recovery.setVisible(recovered != null);
        abort.setVisible(!run.state().isTerminal());
        if (update.timelineChanged()) {
            timeline.setItems(run.timeline());
        }
        rules.setItems(run.rules());
        drawCharts(run, update.added());
        live = !run.state().isTerminal() || recoveryFollowed(run, runs.recoveryWindow(), Instant.now());
        // a run that wrote no rule had no impact; one that did is read once it is over (and again on demand)
        impact.setVisible(!run.rules().isEmpty());
        if (!live) {
            stopPolling();
            if (!run.rules().isEmpty()) {
                impact.ended();
            }
        }
    }

    /** How long the steady state took to hold again after the removal, that it did not, or that it is awaited; null when none of these applies. */
    static String recoveryText(Run run, Duration window, Instant now) {
        if (run.recovery() != null) {
            return "Recovered " + Math.round(run.recovery().seconds() * 10) / 10.0 + " s after the rules' removal (the steady state holds again from "
                    + BrowserTime.clock(run.recovery().holdsAgainAt()) + ")";
        }
        Optional<String> notRecovered = run.timeline().stream().filter(entry -> entry.type() == TimelineKind.NOT_RECOVERED)
                .map(Run.TimelineEntry::message).findFirst();
        if (notRecovered.isPresent()) {
            return "Not recovered: " + notRecovered.get();
        }
        if (run.state() == RunState.POSTCHECK || recoveryFollowed(run, window, now)) {
            return "Waiting for the steady state to hold again (for up to " + Durations.format(window) + " after the removal)";
        }
        return null;
    }

    /** An aborted run whose recovery is still followed: the page keeps polling for it. */
    static boolean recoveryFollowed(Run run, Duration window, Instant now) {
        return run.state() == RunState.ABORTED && run.recovery() == null && run.endedAt() != null
                && run.endedAt().plus(window).plusSeconds(5).isAfter(now)
                && run.rules().stream().anyMatch(rule -> rule.removedAt() != null)
                && run.timeline().stream().noneMatch(entry -> entry.type() == TimelineKind.NOT_RECOVERED);
    }

    /** Appends {@code added} to the samples the page holds and redraws the charts of the checks they belong to (all when the abort moved). */
    private void drawCharts(Run run, List<Run.Sample> added) {
        Set<String> changed = new HashSet<>();
        added.forEach(sample -> {
            samplesByCheck.computeIfAbsent(sample.check(), c -> new ArrayList<>()).add(sample);
            changed.add(sample.check());
        });
        Instant abortedAt = run.timeline().stream().filter(entry -> entry.type() == TimelineKind.ABORT).map(Run.TimelineEntry::at).findFirst()
                .orElse(null);
        boolean abortMoved = !Objects.equals(abortedAt, drawnAbortedAt);
        drawnAbortedAt = abortedAt;
        samplesByCheck.forEach((check, checks) -> {
            if (!abortMoved && !changed.contains(check)) {
                return;
            }
            EChart chart = chartsByCheck.computeIfAbsent(check, c -> {
                EChart created = new EChart();
                created.setWidthFull();
                created.getElement().setAttribute("data-check", c);
                created.addClassName("card");
                charts.add(created);
                return created;
            });
            long failed = checks.stream().filter(s -> !s.passed()).count();
            chart.getElement().setAttribute("data-samples", String.valueOf(checks.size()));
            chart.getElement().setAttribute("data-failed", String.valueOf(failed));
            chart.getElement().setAttribute("data-aborted-at", abortedAt == null ? "" : abortedAt.toString());
            chart.setOption(option(checkName(run, check), checks, abortedAt));
        });
    }

    /** A line of the check's values (failed ones red), its threshold as a dashed line, the abort as a red vertical line. */
    static ObjectNode option(String name, List<Run.Sample> samples, Instant abortedAt) {
        ObjectNode option = NODES.objectNode().put("animation", false);
        String threshold = samples.isEmpty() ? "" : samples.get(samples.size() - 1).threshold();
        option.putObject("title").put("text", name).put("subtext", threshold == null ? "" : threshold)
                .putObject("textStyle").put("fontSize", 14);
        option.putObject("tooltip").put("trigger", "axis");
        option.putObject("grid").put("left", 56).put("right", 24).put("top", 64).put("bottom", 32);
        ObjectNode xAxis = option.putObject("xAxis").put("type", "time");
        samples.stream().map(Run.Sample::at).max(Instant::compareTo).ifPresent(last -> {
            Instant end = abortedAt != null && abortedAt.isAfter(last) ? abortedAt : last;
            xAxis.put("max", end.toEpochMilli() + 500);
        });
        option.putObject("yAxis").put("type", "value").put("scale", true);
        ObjectNode series = option.putArray("series").addObject().put("type", "line").put("name", name).put("showSymbol", true);
        ArrayNode data = series.putArray("data");
        for (Run.Sample sample : samples) {
            if (sample.value() == null) {
                continue;
            }
            ObjectNode point = data.addObject();
            point.putArray("value").add(sample.at().toEpochMilli()).add(sample.value());
            if (!sample.passed()) {
                point.putObject("itemStyle").put("color", "#d7263d");
            }
        }
        ArrayNode lines = NODES.arrayNode();
        if (threshold != null) {
            Matcher number = NUMBER.matcher(threshold);
            while (number.find()) {
                ObjectNode line = lines.addObject().put("yAxis", Double.parseDouble(number.group())).put("name", threshold);
                line.putObject("lineStyle").put("color", "#e67e22").put("type", "dashed");
                line.putObject("label").put("formatter", threshold).put("position", "insideEndTop");
            }
        }
        if (abortedAt != null) {
            ObjectNode line = lines.addObject().put("xAxis", abortedAt.toEpochMilli()).put("name", "aborted");
            line.putObject("lineStyle").put("color", "#d7263d").put("width", 2);
            line.putObject("label").put("formatter", "aborted").put("position", "insideEndTop").put("color", "#d7263d");
        }
        if (!lines.isEmpty()) {
            ObjectNode markLine = series.putObject("markLine").put("symbol", "none");
            markLine.set("data", lines);
        }
        return option;
    }

    private static String checkName(Run run, String check) {
        if (run.document() == null) {
            return check;
        }
        int i = CheckKind.index(check);
        if (i < 0) {
            return check;
        }
        boolean guardrail = CheckKind.of(check) == CheckKind.GUARDRAIL;
        var node = guardrail ? run.document().path("spec").path("guardrails").path(i)
                : run.document().path("spec").path("steadyState").path("probes").path(i);
        return (guardrail ? "guardrail" : "probe") + ": " + node.path("name").asText(check);
    }

    /** Polls while the run shown is live (a page for no run, or for an ended one, does not poll). */
    @Override
    protected void onAttach(AttachEvent attach) {
        if (!live || polling != null) {
            return;
        }
        UI ui = attach.getUI();
        ui.setPollInterval(1000);
        polling = ui.addPollListener(poll -> refresh());
    }

    @Override
    protected void onDetach(DetachEvent detach) {
        if (polling != null) {
            polling.remove();
            polling = null;
        }
        detach.getUI().setPollInterval(-1);
    }

    private void stopPolling() {
        if (polling != null) {
            polling.remove();
            polling = null;
            UI.getCurrent().setPollInterval(-1);
        }
    }
}

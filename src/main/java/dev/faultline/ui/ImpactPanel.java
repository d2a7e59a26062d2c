package dev.faultline.ui;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.details.Details;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Pre;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;

import dev.faultline.Failure;
import dev.faultline.resilience.Figures;
import dev.faultline.resilience.Finding;
import dev.faultline.resilience.FindingService;
import dev.faultline.resilience.Impact;
import dev.faultline.resilience.Impact.Edge;
import dev.faultline.resilience.Impact.Level;
import dev.faultline.resilience.Impact.Traffic;

/**
 * A run's impact on the run page: the service graph of its namespace (ECharts graph series, callers
 * left of what they call) with each edge coloured by how much it changed and the target marked, and
 * a table of the edges before → during → after. Read from Prometheus when the run has ended, and
 * again on demand.
 */
class ImpactPanel extends VerticalLayout {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final Map<Level, String> COLOURS = Map.of(Level.LARGE, "#c62828", Level.SMALL, "#ef6c00", Level.NEW, "#6a1b9a",
            Level.GONE, "#6a1b9a", Level.NONE, "#9e9e9e");

    private final Function<String, FindingService.Analysis> read;
    private final H3 title = new H3("Impact");
    private final Paragraph summary = new Paragraph();
    private final Paragraph notes = new Paragraph();
    private final EChart graph = new EChart();
    private final Grid<Edge> edges = new Grid<>();
    private final Button again = new Button("Read again");
    private final H4 findingsTitle = new H4("Findings");
    private final Div findings = new Div();
    private String runId;
    private boolean loaded;

    ImpactPanel(Function<String, FindingService.Analysis> read) {
        this.read = read;
        setPadding(false);
        setId("run-impact");
        summary.setId("impact-summary");
        notes.setId("impact-notes");
        graph.setId("impact-graph");
        graph.setWidthFull();
        graph.setHeight("320px");
        edges.setId("impact-edges");
        edges.addColumn(edge -> edge.sourceService() + " (" + edge.source() + ")").setHeader("Caller").setAutoWidth(true);
        edges.addColumn(edge -> edge.destination() + (edge.target() ? " · target" : "")).setHeader("Destination").setAutoWidth(true);
        edges.addColumn(edge -> edge.change().level().name()).setHeader("Change").setAutoWidth(true);
        edges.addColumn(edge -> figures(edge, Traffic::requestRate, Figures::rate)).setHeader("Requests/s before → during → after")
                .setAutoWidth(true);
        edges.addColumn(edge -> figures(edge, Traffic::errorRate, Figures::percent)).setHeader("Errors").setAutoWidth(true);
        edges.addColumn(edge -> figures(edge, Traffic::errorRateExcludingInjected, Figures::percent)).setHeader("Errors not injected")
                .setAutoWidth(true);
        edges.addColumn(edge -> figures(edge, Traffic::latencyP99, Figures::millis)).setHeader("p99").setAutoWidth(true);
        edges.addColumn(edge -> figures(edge, Traffic::latencyP50, Figures::millis)).setHeader("p50").setAutoWidth(true);
        edges.addColumn(Edge::reporter).setHeader("Reported by").setAutoWidth(true);
        edges.setAllRowsVisible(true);
        edges.addThemeVariants(GridVariant.LUMO_COMPACT);
        again.setId("impact-read");
        again.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
        again.addClickListener(click -> load());
        findings.setId("impact-findings");
        findings.setWidthFull();
        add(title, summary, findingsTitle, findings, graph, edges, notes, again);
        showOnly(summary, again);
        summary.setText("The impact is read from the mesh's telemetry once the run has ended.");
    }

    void open(String id) {
        runId = id;
        loaded = false;
    }

    /** Reads the impact the first time the run is over. */
    void ended() {
        if (!loaded) {
            load();
        }
    }

    private void load() {
        loaded = true;
        try {
            show(read.apply(runId));
        } catch (RuntimeException e) {
            Failure failure = Failure.of(e);
            showOnly(summary, again);
            summary.setText(failure == Failure.UNEXPECTED ? "The impact could not be read; the server log has the details"
                    : UiActions.message(e));
        }
    }

    private void showOnly(com.vaadin.flow.component.Component... shown) {
        Set<com.vaadin.flow.component.Component> visible = Set.of(shown);
        getChildren().forEach(child -> child.setVisible(child == title || visible.contains(child)));
    }

    private void show(FindingService.Analysis analysis) {
        show(analysis.impact());
        findings.removeAll();
        if (analysis.findings() == null) {
            findings.add(new Paragraph("The findings could not be drawn: " + analysis.unavailable()));
        } else if (analysis.findings().isEmpty()) {
            findings.add(new Paragraph("None: no caller went without a timeout or retries for the fault, no errors spread, and every "
                    + "guardrail followed the calls it watches."));
        } else {
            analysis.findings().forEach(finding -> findings.add(finding(finding)));
        }
        findings.getElement().setAttribute("data-findings", analysis.findings() == null ? "unavailable" : String.valueOf(analysis.findings().size()));
    }

    /** A finding: its kind and message, opened to its evidence and the suggestion to apply. */
    private static Details finding(Finding finding) {
        Span kind = new Span(finding.kind().key());
        kind.getElement().getThemeList().add("badge " + (finding.kind() == Finding.Kind.BLIND_GUARDRAIL ? "contrast" : "error"));
        Span message = new Span(finding.message());
        message.getStyle().set("margin-left", "var(--lumo-space-s)");
        Paragraph evidence = new Paragraph("Evidence: " + finding.evidence());
        evidence.addClassName("finding-evidence");
        Pre suggestion = new Pre(finding.suggestion());
        suggestion.addClassName("finding-suggestion");
        suggestion.getStyle().set("white-space", "pre-wrap").set("font-size", "var(--lumo-font-size-s)");
        Details details = new Details(new Span(kind, message), new VerticalLayout(evidence, suggestion));
        details.addClassName("finding");
        details.getElement().setAttribute("data-kind", finding.kind().key());
        details.setWidthFull();
        return details;
    }

    private void show(Impact impact) {
        showOnly(summary, findingsTitle, findings, graph, edges, notes, again);
        long changed = impact.edges().stream().filter(edge -> edge.change().level() != Level.NONE).count();
        summary.setText(impact.edges().isEmpty() ? "No calls into " + impact.target().namespace() + " were recorded around the run."
                : impact.edges().size() + " calls into " + impact.target().namespace() + ", " + changed
                        + " changed during the fault (from " + seconds(impact.window().before()) + " before the run to "
                        + seconds(impact.window().during()) + " of fault" + (impact.window().after() == null ? ""
                                : " and " + seconds(impact.window().after()) + " after the recovery") + "; " + impact.queries()
                        + " Prometheus queries).");
        notes.setText(String.join(" · ", impact.notes()));
        notes.setVisible(!impact.notes().isEmpty());
        edges.setItems(impact.edges());
        graph.setOption(option(impact));
        graph.getElement().setAttribute("data-edges", String.valueOf(impact.edges().size()));
        graph.getElement().setAttribute("data-changed", String.valueOf(changed));
    }

    private static String seconds(Impact.Window window) {
        return Math.round(window.millis() / 100.0) / 10.0 + " s";
    }

    /**
     * The graph: one node per service (callers by their canonical service), laid out in columns by how
     * many calls from an entry they are, the target ringed; one arrow per edge in the colour of its change.
     */
    static ObjectNode option(Impact impact) {
        Map<String, Set<String>> calls = new LinkedHashMap<>();
        Set<String> names = new LinkedHashSet<>();
        for (Edge edge : impact.edges()) {
            names.add(edge.sourceService());
            names.add(edge.destination());
            calls.computeIfAbsent(edge.sourceService(), s -> new LinkedHashSet<>()).add(edge.destination());
        }
        Map<String, Integer> column = columns(names, calls);
        Map<Integer, Integer> rows = new HashMap<>();
        ObjectNode option = NODES.objectNode();
        option.putObject("tooltip");
        ObjectNode series = option.putArray("series").addObject();
        series.put("type", "graph").put("layout", "none").put("roam", true).put("symbolSize", 46);
        series.putArray("edgeSymbol").add("none").add("arrow");
        series.put("edgeSymbolSize", 9);
        series.putObject("label").put("show", true).put("position", "bottom");
        series.putObject("edgeLabel").put("show", true).put("fontSize", 11);
        ArrayNode data = series.putArray("data");
        for (String name : names) {
            int x = column.get(name);
            int y = rows.merge(x, 1, Integer::sum) - 1;
            boolean target = name.equals(impact.target().service());
            ObjectNode node = data.addObject().put("name", name).put("x", x * 220).put("y", y * 110);
            node.putObject("itemStyle").put("color", target ? "#ffcdd2" : "#e3f2fd").put("borderColor", target ? "#c62828" : "#1565c0")
                    .put("borderWidth", target ? 4 : 1);
            node.putObject("label").put("formatter", target ? name + " (target)" : name);
            node.put("target", target);
        }
        ArrayNode links = series.putArray("links");
        for (Edge edge : impact.edges()) {
            ObjectNode link = links.addObject().put("source", edge.sourceService()).put("target", edge.destination())
                    .put("level", edge.change().level().name());
            link.putObject("lineStyle").put("color", COLOURS.get(edge.change().level()))
                    .put("width", edge.change().level() == Level.LARGE ? 4 : edge.change().level() == Level.NONE ? 1 : 2.5);
            link.putObject("label").put("formatter", linkLabel(edge));
        }
        return option;
    }

    /** Columns by the longest chain of calls leading to a service (the entry leftmost); a cycle stops where it began. */
    private static Map<String, Integer> columns(Set<String> names, Map<String, Set<String>> calls) {
        Map<String, Integer> column = new HashMap<>();
        names.forEach(name -> column.put(name, 0));
        for (int pass = 0; pass < names.size(); pass++) {
            boolean moved = false;
            for (var caller : calls.entrySet()) {
                for (String callee : caller.getValue()) {
                    if (!callee.equals(caller.getKey()) && column.get(callee) < column.get(caller.getKey()) + 1
                            && column.get(caller.getKey()) + 1 < names.size()) {
                        column.put(callee, column.get(caller.getKey()) + 1);
                        moved = true;
                    }
                }
            }
            if (!moved) {
                break;
            }
        }
        return column;
    }

    /** What changed on an edge, in a few words: its error rate or its p99 before → during. */
    static String linkLabel(Edge edge) {
        List<String> parts = new ArrayList<>();
        switch (edge.change().level()) {
            case NEW -> parts.add("new during the fault");
            case GONE -> parts.add("no calls during the fault");
            default -> {
                if (edge.before() != null && edge.during() != null) {
                    if (edge.change().errorRatePoints() != null && Math.abs(edge.change().errorRatePoints()) >= 0.01) {
                        parts.add("errors " + Figures.percent(edge.before().errorRate()) + " → " + Figures.percent(edge.during().errorRate()));
                    }
                    if (edge.change().latencyP99Ratio() != null && Math.abs(edge.change().latencyP99Ratio() - 1) >= 0.2) {
                        parts.add("p99 " + Figures.millis(edge.before().latencyP99()) + " → " + Figures.millis(edge.during().latencyP99()));
                    }
                }
            }
        }
        return String.join(", ", parts);
    }

    private static String figures(Edge edge, Function<Traffic, Double> figure, Function<Double, String> format) {
        return format.apply(value(edge.before(), figure)) + " → " + format.apply(value(edge.during(), figure)) + " → "
                + format.apply(value(edge.after(), figure));
    }

    private static Double value(Traffic traffic, Function<Traffic, Double> figure) {
        return traffic == null ? null : figure.apply(traffic);
    }
}

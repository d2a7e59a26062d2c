package dev.faultline.ui;

import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.ListItem;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.UnorderedList;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.QueryParameters;
import com.vaadin.flow.router.Route;

import dev.faultline.resilience.Report;
import dev.faultline.resilience.ReportService;
import dev.faultline.run.RunState;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The resilience report of an experiment or a namespace across its runs: the score with every
 * point explained, the runs' verdicts and times to recover over time, the findings open and
 * resolved. {@code report?experiment=NAME} or {@code report?namespace=NS}, {@code &since=P90D}.
 */
@Route("report")
@PageTitle("Report · Faultline")
@RolesAllowed(Role.VIEWER_NAME)
public class ReportView extends VerticalLayout implements BeforeEnterObserver {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Map<RunState, String> COLOURS = Map.of(RunState.COMPLETED, "#2e7d32", RunState.DEVIATED, "#ef6c00",
            RunState.ABORTED, "#c62828", RunState.FAILED, "#616161");

    private final ReportService reports;
    private final Caller user;
    private final TextField experiment = new TextField("Experiment");
    private final TextField namespace = new TextField("or namespace");
    private final Select<String> since = new Select<>();
    private final H3 score = new H3();
    private final UnorderedList explanation = new UnorderedList();
    private final Paragraph verdicts = new Paragraph();
    private final EChart chart = new EChart();
    private final Grid<Report.FindingRow> findings = new Grid<>();
    private final Grid<Report.RunRow> runs = new Grid<>();

    public ReportView(ReportService reports, SecurityIdentity identity) {
        this.reports = reports;
        this.user = CurrentUser.of(identity);
        add(new H2("Resilience report"));
        add(new Paragraph("How an experiment's target, or every target in a namespace, answered faults across runs: verdicts and times "
                + "to recover over time, the findings still open and those the newest runs no longer show, and a score whose every "
                + "point is explained. Read from the runs Faultline stored."));
        experiment.setId("report-experiment");
        namespace.setId("report-namespace");
        since.setId("report-since");
        since.setLabel("Since");
        since.setItems("P7D", "P30D", "P90D", "P365D");
        since.setItemLabelGenerator(value -> Map.of("P7D", "7 days", "P30D", "30 days", "P90D", "90 days", "P365D", "a year").get(value));
        since.setValue("P30D");
        Button read = new Button("Read", event -> read());
        read.setId("report-read");
        read.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        HorizontalLayout bar = new HorizontalLayout(experiment, namespace, since, read);
        bar.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
        add(bar);

        score.setId("report-score");
        explanation.setId("report-explanation");
        verdicts.setId("report-verdicts");
        chart.setId("report-chart");
        chart.setWidthFull();
        chart.setHeight("280px");
        findings.setId("report-findings");
        findings.addColumn(row -> row.open() ? "open" : "resolved").setHeader("").setAutoWidth(true);
        findings.addColumn(row -> row.kind().key()).setHeader("Kind").setAutoWidth(true);
        findings.addColumn(row -> (row.caller() == null ? "" : row.caller() + " → ") + row.service()
                + (row.guardrail() == null ? "" : " (guardrail " + row.guardrail() + ")")).setHeader("Where").setAutoWidth(true);
        findings.addColumn(Report.FindingRow::experiment).setHeader("Experiment").setAutoWidth(true);
        findings.addColumn(Report.FindingRow::runs).setHeader("Runs").setAutoWidth(true);
        findings.addColumn(row -> BrowserTime.minutes(row.lastSeen())).setHeader("Last seen").setAutoWidth(true);
        findings.addColumn(Report.FindingRow::message).setHeader("Finding").setFlexGrow(3);
        findings.addThemeVariants(GridVariant.LUMO_WRAP_CELL_CONTENT, GridVariant.LUMO_COMPACT);
        findings.setAllRowsVisible(true);
        runs.setId("report-runs");
        runs.addComponentColumn(row -> new Anchor("runs/" + row.id(), row.id())).setHeader("Run").setAutoWidth(true);
        runs.addColumn(Report.RunRow::experiment).setHeader("Experiment").setAutoWidth(true);
        runs.addColumn(row -> row.startedAt() == null ? "" : BrowserTime.minutes(row.startedAt())).setHeader("Started").setAutoWidth(true);
        runs.addColumn(row -> row.verdict() == null ? "running" : row.verdict().name()).setHeader("Verdict").setAutoWidth(true);
        runs.addColumn(row -> row.recoverySeconds() != null ? Math.round(row.recoverySeconds() * 10) / 10.0 + " s"
                : row.notRecovered() ? "not recovered" : "").setHeader("Recovered in").setAutoWidth(true);
        runs.addColumn(row -> row.findings() == null ? "" : String.valueOf(row.findings())).setHeader("Findings").setAutoWidth(true);
        runs.addColumn(row -> row.reason() == null ? "" : row.reason()).setHeader("Reason").setFlexGrow(3);
        runs.addThemeVariants(GridVariant.LUMO_WRAP_CELL_CONTENT, GridVariant.LUMO_COMPACT);
        runs.setAllRowsVisible(true);
        add(score, explanation, verdicts, chart, new H3("Findings"), findings, new H3("Runs"), runs);
        show(null);
    }

    @Override
    public void beforeEnter(BeforeEnterEvent event) {
        QueryParameters query = event.getLocation().getQueryParameters();
        Map<String, List<String>> parameters = query.getParameters();
        parameters.getOrDefault("experiment", List.of()).stream().findFirst().ifPresent(experiment::setValue);
        parameters.getOrDefault("namespace", List.of()).stream().findFirst().ifPresent(namespace::setValue);
        parameters.getOrDefault("since", List.of()).stream().findFirst().filter(value -> List.of("P7D", "P30D", "P90D", "P365D").contains(value))
                .ifPresent(since::setValue);
        if (!experiment.isEmpty() || !namespace.isEmpty()) {
            read();
        }
    }

    private void read() {
        try {
            show(reports.report(user, experiment.getValue(), namespace.getValue(), since.getValue()));
        } catch (RuntimeException e) {
            show(null);
            UiActions.showFailure(e);
        }
    }

    private void show(Report report) {
        for (var part : List.of(score, explanation, verdicts, chart, findings, runs)) {
            part.setVisible(report != null);
        }
        if (report == null) {
            return;
        }
        score.setText(report.score().value() == null ? "No score" : "Score " + report.score().value() + " / 100");
        explanation.removeAll();
        report.score().explanation().forEach(reason -> explanation.add(new ListItem(
                (reason.points() > 0 ? "+" : reason.points() < 0 ? "−" : "±") + Math.abs(reason.points()) + "  " + reason.reason())));
        Report.Verdicts v = report.verdicts();
        verdicts.setText((report.experiment() == null ? "Namespace " + report.namespace() : "Experiment " + report.experiment() + " (on "
                + report.namespace() + ")") + " since " + BrowserTime.minutes(report.from()) + ": " + v.judged() + (v.judged() == 1 ? " run" : " runs") + " judged the services ("
                + v.completed() + " completed, " + v.deviated() + " deviated, " + v.aborted() + " aborted, " + v.abortedByGuardrail()
                + " of them by a guardrail), " + v.failed() + " failed, " + v.cancelled() + " cancelled; "
                + (report.recovery().medianSeconds() == null ? "no time to recover measured"
                        : "median time to recover " + Math.round(report.recovery().medianSeconds() * 10) / 10.0 + " s, worst "
                                + Math.round(report.recovery().worstSeconds() * 10) / 10.0 + " s")
                + (report.recovery().notRecovered() > 0 ? ", " + report.recovery().notRecovered() + " not recovered" : "") + ".");
        chart.setOption(option(report));
        chart.getElement().setAttribute("data-runs", String.valueOf(report.runs().size()));
        findings.setItems(report.findings());
        runs.setItems(report.runs());
    }

    /** Each run a point at its start, as high as its time to recover, in the colour of its verdict; one series per verdict. */
    static ObjectNode option(Report report) {
        ObjectNode option = NODES.objectNode();
        option.putObject("tooltip").put("trigger", "item");
        option.putObject("legend");
        option.putObject("xAxis").put("type", "time");
        option.putObject("yAxis").put("type", "value").put("name", "recovered in (s)");
        ArrayNode series = option.putArray("series");
        for (RunState verdict : List.of(RunState.COMPLETED, RunState.DEVIATED, RunState.ABORTED, RunState.FAILED)) {
            ObjectNode one = series.addObject().put("type", "scatter").put("name", verdict.name()).put("symbolSize", 12);
            one.putObject("itemStyle").put("color", COLOURS.get(verdict));
            ArrayNode data = one.putArray("data");
            report.runs().stream().filter(row -> row.verdict() == verdict && row.startedAt() != null && row.wroteRules())
                    .forEach(row -> data.addObject().put("name", row.id()).putArray("value").add(row.startedAt().toEpochMilli())
                            .add(row.recoverySeconds() == null ? 0 : row.recoverySeconds()));
        }
        return option;
    }
}

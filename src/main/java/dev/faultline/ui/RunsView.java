package dev.faultline.ui;

import java.util.Optional;

import jakarta.annotation.security.PermitAll;

import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.router.RouteParameters;

import dev.faultline.run.Run;
import dev.faultline.run.RunService;

/** The latest runs, newest first; a click opens the run. Updated as runs start and end. */
@Route("runs")
@PageTitle("Runs · Faultline")
@PermitAll
public class RunsView extends VerticalLayout {

    private final RunService runs;
    private final Grid<Run> grid = new Grid<>();

    public RunsView(RunService runs, UiEvents events) {
        this.runs = runs;
        events.refreshOnRunEvents(this, this::refresh);
        grid.setId("runs");
        grid.addColumn(Run::id).setHeader("Run").setAutoWidth(true);
        grid.addColumn(Run::experiment).setHeader("Experiment").setAutoWidth(true);
        grid.addColumn(run -> run.state().name()).setHeader("State").setAutoWidth(true);
        grid.addColumn(Run::startedBy).setHeader("Started by").setAutoWidth(true);
        grid.addColumn(run -> run.createdAt() == null ? "" : BrowserTime.seconds(run.createdAt())).setHeader("Created").setAutoWidth(true);
        grid.addColumn(Run::reason).setHeader("Reason").setFlexGrow(3);
        grid.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_ROW_STRIPES);
        grid.setEmptyStateText("No runs yet.");
        grid.addItemClickListener(click -> UI.getCurrent().navigate(RunView.class, new RouteParameters("id", click.getItem().id())));
        add(new H2("Runs"), grid);
        setSizeFull();
        refresh();
    }

    private void refresh() {
        grid.setItems(runs.list(Optional.empty(), Optional.empty(), 200));
    }
}

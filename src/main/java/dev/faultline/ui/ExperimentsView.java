package dev.faultline.ui;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;

import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.value.ValueChangeMode;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.router.RouteParameters;

import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.SavedExperiment;
import dev.faultline.run.RunService;
import dev.faultline.run.RunState;
import dev.faultline.security.Role;
import io.quarkus.security.identity.SecurityIdentity;

/** Every experiment, searchable by name, team and tag, with its last verdict. */
@Route("experiments")
@PageTitle("Experiments · Faultline")
@RolesAllowed(Role.VIEWER_NAME)
public class ExperimentsView extends VerticalLayout {

    /** One line of the list. */
    record Row(String name, String team, String tags, String target, String lastVerdict) {
    }

    private final Grid<Row> grid = new Grid<>();
    private final List<Row> rows;

    public ExperimentsView(ExperimentService experiments, RunService runs, SecurityIdentity identity) {
        Map<String, RunState> verdicts = runs.latestStates(); // one query for every row
        rows = experiments.list(Optional.empty(), Optional.empty()).stream().map(saved -> row(saved, verdicts)).toList();
        TextField search = new TextField();
        search.setId("experiment-search");
        search.setPlaceholder("Search name, team or tag");
        search.setValueChangeMode(ValueChangeMode.EAGER);
        search.addValueChangeListener(change -> filter(change.getValue()));
        Button create = new Button("New experiment", click -> UI.getCurrent().navigate(ExperimentEditorView.class,
                new RouteParameters("name", "new")));
        create.setId("new-experiment");
        create.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        create.setVisible(CurrentUser.of(identity).has(Role.EXPERIMENTER));
        grid.setId("experiments");
        grid.addColumn(Row::name).setHeader("Name").setAutoWidth(true).setSortable(true);
        grid.addColumn(Row::team).setHeader("Team").setAutoWidth(true).setSortable(true);
        grid.addColumn(Row::tags).setHeader("Tags").setAutoWidth(true);
        grid.addColumn(Row::target).setHeader("Target").setFlexGrow(2);
        grid.addColumn(Row::lastVerdict).setHeader("Last verdict").setAutoWidth(true).setSortable(true);
        grid.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_ROW_STRIPES);
        grid.setEmptyStateText("No experiments yet.");
        grid.addItemClickListener(click -> UI.getCurrent().navigate(ExperimentEditorView.class,
                new RouteParameters("name", click.getItem().name())));
        grid.setItems(rows);
        add(new H2("Experiments"), new HorizontalLayout(search, create), grid);
        setSizeFull();
    }

    private void filter(String text) {
        String needle = text.strip().toLowerCase(Locale.ROOT);
        grid.setItems(rows.stream().filter(row -> needle.isEmpty() || (row.name() + " " + row.team() + " " + row.tags())
                .toLowerCase(Locale.ROOT).contains(needle)).toList());
    }

    private static Row row(SavedExperiment saved, Map<String, RunState> verdicts) {
        var experiment = saved.experiment();
        var target = experiment.spec().target();
        String verdict = Optional.ofNullable(verdicts.get(experiment.name())).map(Enum::name).orElse("never run");
        return new Row(experiment.name(), experiment.metadata().team() == null ? "" : experiment.metadata().team(),
                String.join(", ", experiment.metadata().tags()), target.service() + (target.subset() == null ? "" : " (" + target.subset() + ")")
                        + " in " + target.namespace(), verdict);
    }
}

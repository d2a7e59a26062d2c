package dev.faultline.ui;

import java.util.List;
import java.util.function.Consumer;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;

import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.RevisionEntry;
import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.Experiment;
import dev.faultline.experiment.spec.ExperimentCodec;

/**
 * An experiment's revisions, newest first: who changed it and when, what each change did (a line
 * diff of the YAML against the revision before), and a way to load an old revision into the editor
 * to save it again.
 */
class RevisionHistory extends VerticalLayout {

    private final ExperimentService experiments;
    private final Grid<RevisionEntry> grid = new Grid<>();
    private final DiffText diff = new DiffText();
    private final Button load = new Button("Load into the editor");
    private List<RevisionEntry> revisions = List.of();

    RevisionHistory(ExperimentService experiments, Consumer<Experiment> loader) {
        this.experiments = experiments;
        grid.setId("revisions");
        grid.addColumn(RevisionEntry::revision).setHeader("Revision").setAutoWidth(true);
        grid.addColumn(entry -> entry.change().name().toLowerCase(java.util.Locale.ROOT)).setHeader("Change").setAutoWidth(true);
        grid.addColumn(entry -> BrowserTime.seconds(entry.changedAt())).setHeader("When").setAutoWidth(true);
        grid.addColumn(RevisionEntry::changedBy).setHeader("Who").setAutoWidth(true);
        grid.addColumn(this::summary).setHeader("What").setFlexGrow(2);
        grid.addThemeVariants(GridVariant.LUMO_COMPACT);
        grid.setAllRowsVisible(true);
        grid.setEmptyStateText("Not saved yet.");
        grid.asSingleSelect().addValueChangeListener(change -> show(change.getValue()));
        diff.setId("revision-diff");
        load.setId("load-revision");
        load.setVisible(false);
        load.addClickListener(click -> {
            RevisionEntry selected = grid.asSingleSelect().getValue();
            if (selected != null && selected.experiment() != null) {
                loader.accept(selected.experiment());
            }
        });
        add(grid, load, diff);
        setPadding(false);
    }

    void refresh(String name) {
        revisions = name == null ? List.of() : experiments.history(name).stream()
                .sorted(java.util.Comparator.comparingInt(RevisionEntry::revision).reversed()).toList();
        grid.setItems(revisions);
        show(null);
    }

    private void show(RevisionEntry entry) {
        diff.removeAll();
        load.setVisible(entry != null && entry.experiment() != null);
        if (entry == null) {
            return;
        }
        diff.show(yaml(previous(entry)), yaml(entry));
    }

    /** How many lines the change added and removed. */
    private String summary(RevisionEntry entry) {
        List<LineDiff.Line> lines = LineDiff.of(yaml(previous(entry)), yaml(entry));
        long added = lines.stream().filter(l -> l.kind() == LineDiff.Kind.ADDED).count();
        long removed = lines.stream().filter(l -> l.kind() == LineDiff.Kind.REMOVED).count();
        return "+" + added + " −" + removed + " lines";
    }

    private RevisionEntry previous(RevisionEntry entry) {
        return revisions.stream().filter(r -> r.revision() < entry.revision()).findFirst().orElse(null);
    }

    private static String yaml(RevisionEntry entry) {
        return entry == null || entry.experiment() == null ? "" : ExperimentCodec.write(ExperimentCodec.toTree(entry.experiment()),
                DocumentFormat.YAML);
    }
}

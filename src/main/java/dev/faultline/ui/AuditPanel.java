package dev.faultline.ui;

import java.util.Optional;

import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.value.ValueChangeMode;

import dev.faultline.security.AuditRecord;
import dev.faultline.security.AuditTrail;
import dev.faultline.security.Caller;

/** The newest entries of the audit log, filtered by who and by path; the full log is at /api/v1/audit. */
class AuditPanel extends VerticalLayout {

    private static final int SHOWN = 200;

    private final Runnable search;

    AuditPanel(AuditTrail audit, Caller caller) {
        Grid<AuditRecord> grid = new Grid<>();
        grid.setId("audit");
        grid.addColumn(entry -> BrowserTime.minutes(entry.at())).setHeader("At").setAutoWidth(true);
        grid.addColumn(AuditRecord::actor).setHeader("Who").setAutoWidth(true);
        grid.addColumn(AuditRecord::via).setHeader("Via").setAutoWidth(true);
        grid.addColumn(AuditPanel::what).setHeader("What").setAutoWidth(true).setFlexGrow(0);
        grid.addColumn(AuditRecord::outcome).setHeader("Outcome").setAutoWidth(true);
        grid.addColumn(AuditRecord::detail).setHeader("Detail").setFlexGrow(1).setTooltipGenerator(AuditRecord::detail);
        grid.addColumn(AuditRecord::source).setHeader("From").setAutoWidth(true);
        grid.addThemeVariants(GridVariant.LUMO_COMPACT);
        grid.setHeight("480px");
        TextField actor = new TextField("Who");
        actor.setValueChangeMode(ValueChangeMode.LAZY);
        TextField path = new TextField("Operation or path starts with");
        path.setPlaceholder("experiment. or /api/v1/halt");
        path.setValueChangeMode(ValueChangeMode.LAZY);
        Select<String> outcome = new Select<>();
        outcome.setLabel("Outcome");
        outcome.setItems("", "SUCCEEDED", "REJECTED", "DENIED", "FAILED");
        outcome.setItemLabelGenerator(o -> o.isEmpty() ? "any" : o);
        outcome.setValue("");
        search = () -> grid.setItems(audit.search(caller, new AuditTrail.Query(text(actor), Optional.of(outcome.getValue())
                .filter(o -> !o.isEmpty()).map(AuditRecord.Outcome::valueOf), text(path).filter(what -> !what.startsWith("/")),
                Optional.empty(), Optional.empty(), text(path).filter(what -> what.startsWith("/")), Optional.empty(),
                Optional.empty(), Optional.empty(), SHOWN)));
        actor.addValueChangeListener(change -> search.run());
        path.addValueChangeListener(change -> search.run());
        outcome.addValueChangeListener(change -> search.run());
        add(new HorizontalLayout(actor, path, outcome), grid);
        setPadding(false);
    }

    /** Reads the newest entries again. */
    void refresh() {
        search.run();
    }

    /** The operation and its target; a request no feature carried out, by its method and path. */
    private static String what(AuditRecord entry) {
        return entry.operation() != null ? entry.operation() + " " + entry.target() : entry.method() + " " + entry.path();
    }

    private static Optional<String> text(TextField field) {
        return Optional.of(field.getValue().strip()).filter(value -> !value.isEmpty());
    }
}

package dev.faultline.ui;

import java.util.List;
import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.confirmdialog.ConfirmDialog;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.ListItem;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.UnorderedList;
import com.vaadin.flow.component.notification.Notification;
import com.vaadin.flow.component.notification.NotificationVariant;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.tabs.TabSheet;
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.router.RouteParameters;
import com.vaadin.flow.shared.Registration;

import dev.faultline.Failure;
import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.SavedExperiment;
import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.Experiment;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.run.Measurements;
import dev.faultline.run.PreviewService;
import dev.faultline.run.Run;
import dev.faultline.run.RunPolicy;
import dev.faultline.run.RunService;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The experiment designer: the {@link ExperimentForm} with the current value of each query under
 * it, a YAML tab for the whole document kept in step with the form both ways, and the revision
 * history; errors show on the field they concern. Preview reads the cluster now; Run saves and starts,
 * asking first for consent when the fault would reach more than the target names. Viewers read the
 * document and its PromQL: what reads the cluster or Prometheus (values, services, preview) and what
 * changes anything is offered to experimenters only.
 */
@Route("experiments/:name")
@PageTitle("Experiment · Faultline")
@RolesAllowed(Role.VIEWER_NAME)
public class ExperimentEditorView extends VerticalLayout implements BeforeEnterObserver {

    private static final Logger LOG = Logger.getLogger(ExperimentEditorView.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String FORM_TAB = "Form";
    private static final String YAML_TAB = "YAML";
    private static final String HISTORY_TAB = "History";
    private static final int CURRENT_VALUES_EVERY_MS = 5000;

    private final ExperimentService experiments;
    private final PreviewService previews;
    private final RunService runs;
    private final Caller user;
    private final boolean experimenter;

    /** The document being edited; the form writes its own fields into it and leaves the rest (probes, ramp, notify) alone. */
    private ObjectNode document = NODES.objectNode();

    private final H2 heading = new H2();
    private final TextArea yaml = new TextArea();
    private final TabSheet tabs = new TabSheet();
    private final CurrentValues currentValues;
    private final RevisionHistory history;
    private Registration polling;
    private String shownTab = FORM_TAB;
    private final UnorderedList otherErrors = new UnorderedList();
    private final ExperimentForm form;

    public ExperimentEditorView(ExperimentService experiments, PreviewService previews, RunService runs, RunPolicy policy,
            SecurityIdentity identity) {
        this.experiments = experiments;
        this.previews = previews;
        this.runs = runs;
        this.user = CurrentUser.of(identity);
        this.experimenter = user.has(Role.EXPERIMENTER);
        this.currentValues = new CurrentValues(experimenter, (namespace, promql) -> previews.currentValue(user, namespace, promql));
        this.history = new RevisionHistory(experiments, this::load);
        this.form = new ExperimentForm(policy.settings().allowedNamespaces(),
                experimenter ? namespace -> previews.services(user, namespace) : namespace -> List.of());
        yaml.setId("yaml");
        yaml.setWidthFull();
        yaml.setMinHeight("420px");
        yaml.getStyle().set("font-family", "var(--lumo-font-family-monospace, monospace)");
        otherErrors.setId("other-errors");
        otherErrors.getStyle().set("color", "var(--lumo-error-text-color)");

        VerticalLayout formTab = new VerticalLayout(form, new H4("Current values from Prometheus"), currentValues);
        formTab.setPadding(false);
        tabs.add(FORM_TAB, formTab);
        tabs.add(YAML_TAB, yaml);
        tabs.add(HISTORY_TAB, history);
        tabs.setWidthFull();
        tabs.addSelectedChangeListener(change -> switchTab(change.getSelectedTab().getLabel()));

        Button save = new Button("Save", click -> save());
        save.setId("save");
        save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        Button preview = new Button("Preview", click -> preview());
        preview.setId("preview");
        Button run = new Button("Run", click -> run());
        run.setId("run");
        run.addThemeVariants(ButtonVariant.LUMO_SUCCESS);
        save.setVisible(experimenter);
        preview.setVisible(experimenter);
        run.setVisible(experimenter);
        add(heading, tabs, otherErrors, new HorizontalLayout(save, preview, run));
        setWidthFull();

    }

    @Override
    public void beforeEnter(BeforeEnterEvent event) {
        String given = event.getRouteParameters().get("name").orElse("new");
        Optional<SavedExperiment> saved = given.equals("new") ? Optional.empty() : experiments.find(given);
        if (saved.isPresent()) {
            document = ExperimentCodec.toTree(saved.get().experiment());
            heading.setText(given + " · revision " + saved.get().revision());
            history.refresh(given);
        } else {
            document = NODES.objectNode().put("apiVersion", Experiment.API_VERSION).put("kind", Experiment.KIND);
            heading.setText("New experiment");
        }
        form.show(document);
    }

    /** Carries the document from the tab left to the tab shown; YAML that does not parse keeps the user on the YAML tab. */
    private void switchTab(String label) {
        if (YAML_TAB.equals(shownTab)) {
            try {
                document = (ObjectNode) ExperimentCodec.parse(yaml.getValue(), DocumentFormat.YAML);
                yaml.setInvalid(false);
            } catch (InvalidDocumentException | ClassCastException e) {
                yaml.setInvalid(true);
                yaml.setErrorMessage(e instanceof InvalidDocumentException invalid ? describe(invalid.errors()) : "must be a mapping");
                tabs.setSelectedIndex(1);
                return;
            }
        } else if (FORM_TAB.equals(shownTab)) {
            document = form.writeInto(document);
        }
        shownTab = label;
        if (YAML_TAB.equals(label)) {
            yaml.setValue(ExperimentCodec.write(document, DocumentFormat.YAML));
        } else if (FORM_TAB.equals(label)) {
            form.show(document);
            showCurrentValues();
        }
    }

    /** Loads an old revision into the editor, to be saved again as the newest. */
    private void load(Experiment revision) {
        document = ExperimentCodec.toTree(revision);
        shownTab = HISTORY_TAB;
        tabs.setSelectedIndex(0);
        Notification.show("Loaded; save to make it the newest revision", 3000, Notification.Position.TOP_CENTER);
    }

    /** What each Prometheus query of the form's experiment gives now; refreshed while the form is shown. */
    private void showCurrentValues() {
        if (!FORM_TAB.equals(shownTab)) {
            return;
        }
        ObjectNode current = form.writeInto(document);
        List<Measurements.NamedQuery> queries = ExperimentCodec.check(current).isEmpty()
                ? previews.queries(user, ExperimentCodec.decode(current).spec())
                : form.queries();
        currentValues.show(current.path("spec").path("target").path("namespace").asText(null), queries);
    }

    /** Values refresh every few seconds for those who see them; for a viewer the queries are shown once. */
    @Override
    protected void onAttach(AttachEvent attach) {
        if (experimenter) {
            attach.getUI().setPollInterval(CURRENT_VALUES_EVERY_MS);
            polling = attach.getUI().addPollListener(poll -> showCurrentValues());
        }
        showCurrentValues();
    }

    @Override
    protected void onDetach(DetachEvent detach) {
        detach.getUI().setPollInterval(-1);
        if (polling != null) {
            polling.remove();
        }
    }

    // ---- actions ---------------------------------------------------------------------------------

    /** The current document, checked; shows every error next to its field and returns empty when there are any. */
    private Optional<Experiment> checked() {
        if (YAML_TAB.equals(shownTab)) {
            try {
                document = (ObjectNode) ExperimentCodec.parse(yaml.getValue(), DocumentFormat.YAML);
            } catch (InvalidDocumentException e) {
                showErrors(e.errors());
                return Optional.empty();
            }
        } else if (FORM_TAB.equals(shownTab)) {
            document = form.writeInto(document);
        }
        List<FieldError> errors = ExperimentCodec.check(document);
        showErrors(errors);
        return errors.isEmpty() ? Optional.of(ExperimentCodec.decode(document)) : Optional.empty();
    }

    private void showErrors(List<FieldError> errors) {
        otherErrors.removeAll();
        form.showErrors(errors).forEach(error -> otherErrors.add(new ListItem(error.path() + ": " + error.message())));
        if (!errors.isEmpty()) {
            Notification.show(errors.size() + (errors.size() == 1 ? " problem" : " problems") + "; nothing was saved", 4000,
                    Notification.Position.TOP_CENTER).addThemeVariants(NotificationVariant.LUMO_ERROR);
        }
    }

    private Optional<SavedExperiment> save() {
        Optional<Experiment> experiment = checked();
        if (experiment.isEmpty()) {
            return Optional.empty();
        }
        String experimentName = experiment.get().name();
        try {
            SavedExperiment saved = experiments.apply(user, experiment.get()).saved();
            heading.setText(saved.experiment().name() + " · revision " + saved.revision());
            history.refresh(saved.experiment().name());
            document = ExperimentCodec.toTree(saved.experiment());
            Notification.show("Saved revision " + saved.revision(), 3000, Notification.Position.TOP_CENTER)
                    .addThemeVariants(NotificationVariant.LUMO_SUCCESS);
            UI.getCurrent().getPage().getHistory().replaceState(null, "experiments/" + saved.experiment().name());
            return Optional.of(saved);
        } catch (RuntimeException e) {
            UiActions.showFailure(e);
            return Optional.empty();
        }
    }

    private void preview() {
        Optional<Experiment> experiment = checked();
        if (experiment.isEmpty()) {
            return;
        }
        Dialog dialog = new Dialog();
        dialog.setHeaderTitle("Preview: what a run would write");
        dialog.setWidth("900px");
        try {
            dialog.add(new PreviewReport(previews.preview(user, experiment.get(), 0)));
        } catch (RuntimeException e) {
            Div failed = new Div(Failure.of(e) == Failure.TARGET_UNRESOLVED ? "The target does not resolve: " + e.getMessage()
                    : UiActions.message(e));
            failed.setId("preview-body");
            dialog.add(failed);
        }
        dialog.getFooter().add(new Button("Close", click -> dialog.close()));
        dialog.open();
    }

    /**
     * Saves, then starts a run as its preview says it may: a run the mesh would refuse is not started
     * (the refusals are shown instead), one whose fault would reach more than its target starts only
     * after the user consents to that in a dialog naming what else is reached, and any other starts at
     * once.
     */
    private void run() {
        Optional<SavedExperiment> saved = save();
        if (saved.isEmpty()) {
            return;
        }
        String name = saved.get().experiment().name();
        switch (RunConsent.of(previewOf(saved.get()))) {
            case RunConsent.Refused refused -> {
                Notification note = Notification.show("Not started: a run would be refused, even with consent: "
                        + String.join("; ", refused.refusals()), 10_000, Notification.Position.TOP_CENTER);
                note.addThemeVariants(NotificationVariant.LUMO_ERROR);
                note.setId("run-refused");
            }
            case RunConsent.Needed needed -> askConsent(name, needed.wider());
            case RunConsent.NotNeeded notNeeded -> start(name, false);
        }
    }

    /** The preview of the revision about to run; empty when it cannot be made, which the run will explain itself. */
    private Optional<PreviewService.Preview> previewOf(SavedExperiment saved) {
        try {
            return Optional.of(previews.preview(user, saved.experiment(), saved.revision()));
        } catch (RuntimeException e) {
            if (Failure.of(e) == Failure.UNEXPECTED) {
                LOG.warnf(e, "No preview before running %s; the run checks again", saved.experiment().name());
            } else {
                LOG.debugf("No preview before running %s (%s); the run checks again", saved.experiment().name(), e.getMessage());
            }
            return Optional.empty();
        }
    }

    private void askConsent(String name, List<String> wider) {
        UnorderedList reached = new UnorderedList();
        wider.forEach(line -> reached.add(new ListItem(line)));
        reached.setId("consent-wider");
        ConfirmDialog dialog = new ConfirmDialog();
        dialog.setId("consent-dialog");
        dialog.setHeader("Run with a wider blast radius?");
        dialog.setText(new Div(new Paragraph("The mesh cannot limit the fault of " + name + " to its target:"), reached));
        dialog.setConfirmText("Run with the wider blast radius");
        dialog.setConfirmButtonTheme("error primary");
        dialog.setCancelable(true);
        dialog.setCancelText("Cancel");
        dialog.addConfirmListener(confirmed -> start(name, true));
        dialog.addCancelListener(cancelled -> Notification.show("Not started", 3000, Notification.Position.TOP_CENTER));
        dialog.open();
    }

    private void start(String name, boolean widerBlastRadius) {
        try {
            Run run = runs.start(user, name, widerBlastRadius);
            UI.getCurrent().navigate(RunView.class, new RouteParameters("id", run.id()));
        } catch (RuntimeException e) {
            UiActions.showFailure(e);
        }
    }

    private static String describe(List<FieldError> errors) {
        return String.join("; ", errors.stream().map(e -> e.path() + ": " + e.message()).toList());
    }
}

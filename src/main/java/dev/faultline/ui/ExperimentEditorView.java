package dev.faultline.ui;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Input;
import com.vaadin.flow.component.html.ListItem;
import com.vaadin.flow.component.html.Pre;
import com.vaadin.flow.component.html.UnorderedList;
import com.vaadin.flow.component.notification.Notification;
import com.vaadin.flow.component.notification.NotificationVariant;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.tabs.TabSheet;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.NumberField;
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.router.RouteParameters;
import com.vaadin.flow.data.value.ValueChangeMode;
import com.vaadin.flow.shared.Registration;

import dev.faultline.PolicyDeniedException;
import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.SavedExperiment;
import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.Durations;
import dev.faultline.experiment.spec.Experiment;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.experiment.spec.FieldError;
import dev.faultline.experiment.spec.InvalidDocumentException;
import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.FaultPlan;
import dev.faultline.mesh.FaultRequest;
import dev.faultline.mesh.MeshException;
import dev.faultline.metrics.GoldenSignal;
import dev.faultline.metrics.PrometheusClient;
import dev.faultline.run.Measurements;
import dev.faultline.run.Run;
import dev.faultline.run.RunEngine;
import dev.faultline.security.NamespacePolicy;
import dev.faultline.security.Role;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;

/**
 * The experiment designer: a form for what most experiments need (target, a delay and an abort,
 * duration, a golden-signal guardrail) and a YAML tab for the whole document, kept in step both
 * ways; errors show on the field they concern. Preview reads the cluster now; Run saves and starts.
 */
@Route("experiments/:name")
@PageTitle("Experiment · Faultline")
@RolesAllowed(Role.VIEWER_NAME)
public class ExperimentEditorView extends VerticalLayout implements BeforeEnterObserver {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String FORM_TAB = "Form";
    private static final String YAML_TAB = "YAML";
    private static final String HISTORY_TAB = "History";
    private static final int CURRENT_VALUES_EVERY_MS = 5000;
    /** The window the form gives a golden-signal guardrail. */
    private static final java.time.Duration GUARDRAIL_WINDOW = java.time.Duration.ofSeconds(30);
    /** The window the form gives a golden-signal steady-state probe: the state before the run, not a blip. */
    private static final java.time.Duration PROBE_WINDOW = java.time.Duration.ofMinutes(1);

    private final ExperimentService experiments;
    private final FaultInjector injector;
    private final RunEngine engine;
    private final NamespacePolicy policy;
    private final SecurityIdentity caller;
    private final Clock clock;
    private final UiActions actions;
    private final CurrentUser user = CurrentUser.get();

    /** The document being edited; the form writes its own fields into it and leaves the rest (probes, ramp, notify) alone. */
    private ObjectNode document = NODES.objectNode();

    private final H2 heading = new H2();
    private final TextField name = field("name", "Name", "a DNS label: reviews-latency");
    private final TextField team = field("team", "Team", "optional");
    private final TextArea description = new TextArea("Description");
    private final TextField tags = field("tags", "Tags", "comma-separated");
    private final ComboBox<String> namespace = new ComboBox<>("Namespace");
    private final ComboBox<String> service = new ComboBox<>("Service");
    private final TextField subset = field("subset", "Subset", "optional");
    private final TextField delay = field("delay", "Delay", "e.g. 2s; empty for none");
    private final NumberField delayPercentage = percentage("delay-percentage", "Delay percentage");
    private final IntegerField abortStatus = new IntegerField("Abort status");
    private final NumberField abortPercentage = percentage("abort-percentage", "Abort percentage");
    private final TextField duration = field("duration", "Duration", "e.g. 5m");
    private final Select<String> signal = goldenSignals("signal", "Guardrail signal");
    private final TextField guardrailService = field("guardrail-service", "Watched service", "defaults to the target");
    private final NumberField below = new NumberField("Abort when not below");
    private final Select<String> probeSignal = goldenSignals("probe-signal", "Steady-state signal");
    private final TextField probeService = field("probe-service", "Measured service", "defaults to the target");
    private final NumberField probeBelow = new NumberField("Holds while below");
    private final TextField interval = field("interval", "Check every", "e.g. 1s");
    private final TextArea yaml = new TextArea();
    private final TabSheet tabs = new TabSheet();
    private final CurrentValues currentValues;
    private final RevisionHistory history;
    private Registration polling;
    private String shownTab = FORM_TAB;
    private final UnorderedList otherErrors = new UnorderedList();
    private final Map<String, HasValidation> fieldsByPath = new LinkedHashMap<>();

    public ExperimentEditorView(ExperimentService experiments, FaultInjector injector, RunEngine engine, NamespacePolicy policy,
            SecurityIdentity caller, Clock clock, UiActions actions, PrometheusClient prometheus) {
        this.experiments = experiments;
        this.injector = injector;
        this.engine = engine;
        this.policy = policy;
        this.caller = caller;
        this.clock = clock;
        this.actions = actions;
        this.currentValues = new CurrentValues(prometheus);
        this.history = new RevisionHistory(experiments, this::load);
        description.setId("description");
        namespace.setId("namespace");
        namespace.setItems(policy.settings().allowedNamespaces());
        namespace.setAllowCustomValue(true);
        namespace.addCustomValueSetListener(custom -> choose(namespace, custom.getDetail()));
        namespace.addValueChangeListener(change -> offerServices(change.getValue()));
        service.setId("service");
        service.setPlaceholder("short name or FQDN");
        service.setAllowCustomValue(true);
        service.setItems(List.of());
        service.addCustomValueSetListener(custom -> choose(service, custom.getDetail()));
        abortStatus.setId("abort-status");
        abortStatus.setMin(200);
        abortStatus.setMax(599);
        below.setId("below");
        probeBelow.setId("probe-below");
        yaml.setId("yaml");
        yaml.setWidthFull();
        yaml.setMinHeight("420px");
        yaml.getStyle().set("font-family", "var(--lumo-font-family-monospace, monospace)");
        otherErrors.setId("other-errors");
        otherErrors.getStyle().set("color", "var(--lumo-error-text-color)");

        FormLayout form = new FormLayout();
        form.setResponsiveSteps(new FormLayout.ResponsiveStep("0", 1), new FormLayout.ResponsiveStep("700px", 3));
        form.add(name, team, tags);
        form.add(description, 3);
        form.add(new H4("Target"), 3);
        form.add(namespace, service, subset);
        form.add(new H4("Faults"), 3);
        form.add(delay, withSlider(delayPercentage), new Div());
        form.add(abortStatus, withSlider(abortPercentage), duration);
        form.add(new H4("Guardrail (more in YAML)"), 3);
        form.add(signal, guardrailService, below, interval);
        form.add(new H4("Steady state, checked before and after (more in YAML)"), 3);
        form.add(probeSignal, probeService, probeBelow);
        form.add(new H4("Current values from Prometheus"), 3);
        form.add(currentValues, 3);
        tabs.add(FORM_TAB, form);
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
        save.setVisible(user.has(Role.EXPERIMENTER));
        run.setVisible(user.has(Role.EXPERIMENTER));
        add(heading, tabs, otherErrors, new HorizontalLayout(save, preview, run));
        setWidthFull();

        fieldsByPath.put("metadata.name", name);
        fieldsByPath.put("metadata.team", team);
        fieldsByPath.put("metadata.description", description);
        fieldsByPath.put("metadata.tags", tags);
        fieldsByPath.put("spec.target.namespace", namespace);
        fieldsByPath.put("spec.target.service", service);
        fieldsByPath.put("spec.target.subset", subset);
        fieldsByPath.put("spec.target", service);
        fieldsByPath.put("spec.duration", duration);
        fieldsByPath.put("spec.guardrails[0].interval", interval);
        fieldsByPath.put("spec.guardrails[0].tolerance", below);
        fieldsByPath.put("spec.guardrails[0].goldenSignal.service", guardrailService);
        fieldsByPath.put("spec.steadyState.probes[0].tolerance", probeBelow);
        fieldsByPath.put("spec.steadyState.probes[0].goldenSignal.service", probeService);
    }

    private static TextField field(String id, String label, String placeholder) {
        TextField field = new TextField(label);
        field.setId(id);
        field.setPlaceholder(placeholder);
        return field;
    }

    private static NumberField percentage(String id, String label) {
        NumberField field = new NumberField(label);
        field.setId(id);
        field.setStep(0.5);
        field.setStepButtonsVisible(true);
        field.setSuffixComponent(new Div("%"));
        return field;
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
        toForm(document);
    }

    // ---- form <-> document ---------------------------------------------------------------------

    private void toForm(JsonNode doc) {
        JsonNode metadata = doc.path("metadata");
        JsonNode spec = doc.path("spec");
        name.setValue(metadata.path("name").asText(""));
        team.setValue(metadata.path("team").asText(""));
        description.setValue(metadata.path("description").asText(""));
        List<String> tagList = new ArrayList<>();
        metadata.path("tags").forEach(tag -> tagList.add(tag.asText()));
        tags.setValue(String.join(", ", tagList));
        choose(namespace, spec.path("target").path("namespace").asText(""));
        choose(service, spec.path("target").path("service").asText(""));
        subset.setValue(spec.path("target").path("subset").asText(""));
        delay.clear();
        delayPercentage.clear();
        abortStatus.clear();
        abortPercentage.clear();
        for (JsonNode fault : spec.path("faults")) {
            if (fault.has("delay")) {
                delay.setValue(fault.path("delay").path("fixedDelay").asText(""));
                delayPercentage.setValue(fault.path("delay").path("percentage").asDouble());
            }
            if (fault.path("abort").has("httpStatus")) {
                abortStatus.setValue(fault.path("abort").path("httpStatus").asInt());
                abortPercentage.setValue(fault.path("abort").path("percentage").asDouble());
            }
        }
        duration.setValue(spec.path("duration").asText(""));
        JsonNode guardrail = spec.path("guardrails").path(0);
        readGoldenSignal(guardrail, signal, guardrailService, below);
        interval.setValue(guardrail.path("interval").asText(""));
        readGoldenSignal(spec.path("steadyState").path("probes").path(0), probeSignal, probeService, probeBelow);
    }

    /** The document with the form's fields written into it. */
    private ObjectNode fromForm() {
        ObjectNode doc = document.deepCopy();
        ObjectNode metadata = doc.with("metadata");
        put(metadata, "name", name.getValue());
        put(metadata, "team", team.getValue());
        put(metadata, "description", description.getValue());
        List<String> tagList = Arrays.stream(tags.getValue().split(",")).map(String::strip).filter(t -> !t.isEmpty()).toList();
        if (tagList.isEmpty()) {
            metadata.remove("tags");
        } else {
            ArrayNode array = metadata.putArray("tags");
            tagList.forEach(array::add);
        }
        ObjectNode spec = doc.with("spec");
        ObjectNode target = spec.with("target");
        put(target, "namespace", namespace.getValue());
        put(target, "service", service.getValue());
        put(target, "subset", subset.getValue());
        ArrayNode faults = spec.putArray("faults");
        if (!delay.getValue().isBlank() || delayPercentage.getValue() != null) {
            ObjectNode d = faults.addObject().putObject("delay").put("fixedDelay", delay.getValue().strip());
            if (delayPercentage.getValue() != null) {
                d.put("percentage", delayPercentage.getValue());
            }
        }
        if (abortStatus.getValue() != null || abortPercentage.getValue() != null) {
            ObjectNode a = faults.addObject().putObject("abort");
            if (abortStatus.getValue() != null) {
                a.put("httpStatus", abortStatus.getValue());
            }
            if (abortPercentage.getValue() != null) {
                a.put("percentage", abortPercentage.getValue());
            }
        }
        put(spec, "duration", duration.getValue());
        if (chosen(signal)) {
            ObjectNode guardrail = first(spec, "guardrails");
            writeGoldenSignal(guardrail, signal.getValue(), guardrailService.getValue(), below.getValue(), GUARDRAIL_WINDOW);
            put(guardrail, "interval", interval.getValue());
        }
        if (chosen(probeSignal)) {
            writeGoldenSignal(first(spec.with("steadyState"), "probes"), probeSignal.getValue(), probeService.getValue(),
                    probeBelow.getValue(), PROBE_WINDOW);
        }
        return doc;
    }

    private static boolean chosen(Select<String> preset) {
        return preset.getValue() != null && !preset.getValue().isEmpty();
    }

    /** The first element of the list {@code field} of {@code parent}, made when there is none; the others stay as they are. */
    private static ObjectNode first(ObjectNode parent, String field) {
        ArrayNode list = parent.has(field) && parent.get(field).isArray() ? (ArrayNode) parent.get(field) : parent.putArray(field);
        return list.isEmpty() ? list.addObject() : (ObjectNode) list.get(0);
    }

    /** Makes {@code check} a golden-signal check of the watched service (the target when blank), with a {@code below} tolerance. */
    private void writeGoldenSignal(ObjectNode check, String preset, String watched, Double threshold, java.time.Duration window) {
        String measured = watched == null || watched.isBlank() ? serviceName() : watched.strip();
        if (!check.has("name")) {
            check.put("name", preset + " of " + measured);
        }
        check.remove(List.of("prometheus", "http", "kubernetes"));
        check.putObject("goldenSignal").put("signal", preset).put("service", measured).put("window", Durations.format(window));
        if (threshold != null) {
            check.putObject("tolerance").put("below", threshold);
        }
    }

    private static void readGoldenSignal(JsonNode check, Select<String> preset, TextField watched, NumberField threshold) {
        JsonNode golden = check.path("goldenSignal");
        preset.setValue(golden.path("signal").asText(""));
        watched.setValue(golden.path("service").asText(""));
        threshold.setValue(check.path("tolerance").has("below") ? check.path("tolerance").path("below").asDouble() : null);
    }

    private static Select<String> goldenSignals(String id, String label) {
        Select<String> preset = new Select<>();
        preset.setId(id);
        preset.setLabel(label);
        preset.setItems("", "errorRate", "latencyP50", "latencyP90", "latencyP99", "requestRate");
        preset.setItemLabelGenerator(s -> s.isEmpty() ? "none" : s);
        return preset;
    }

    private static void put(ObjectNode node, String field, String value) {
        if (value == null || value.isBlank()) {
            node.remove(field);
        } else {
            node.put(field, value.strip());
        }
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
            document = fromForm();
        }
        shownTab = label;
        if (YAML_TAB.equals(label)) {
            yaml.setValue(ExperimentCodec.write(document, DocumentFormat.YAML));
        } else if (FORM_TAB.equals(label)) {
            toForm(document);
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

    // ---- choices and live values ------------------------------------------------------------------

    private String serviceName() {
        return service.getValue() == null ? "" : service.getValue();
    }

    /** Offers the services of the chosen namespace, keeping whatever service was chosen. */
    private void offerServices(String inNamespace) {
        String chosen = service.getValue();
        List<String> services = List.of();
        service.setHelperText(null);
        if (inNamespace != null && !inNamespace.isBlank()) {
            try {
                services = injector.services(inNamespace);
            } catch (MeshException e) {
                service.setHelperText("Could not list the services: " + e.getMessage());
            }
        }
        service.setItems(services);
        choose(service, chosen);
    }

    /** Sets a combo box to {@code value}, adding it to the choices when it is not among them (a name typed in, or one the cluster does not list). */
    private static void choose(ComboBox<String> box, String value) {
        if (value == null || value.isBlank()) {
            box.clear();
            return;
        }
        List<String> items = new ArrayList<>(box.getListDataView().getItems().toList());
        if (!items.contains(value)) {
            items.add(value);
            box.setItems(items);
        }
        box.setValue(value);
    }

    private static Div withSlider(NumberField percentage) {
        Input slider = new Input(ValueChangeMode.LAZY);
        slider.setType("range");
        slider.setValue("0");
        slider.addClassName("percentage-slider");
        slider.setId(percentage.getId().orElseThrow() + "-slider");
        slider.getElement().setAttribute("min", "0").setAttribute("max", "100").setAttribute("step", "0.5");
        slider.getElement().setAttribute("aria-label", percentage.getLabel());
        slider.addValueChangeListener(change -> {
            if (change.isFromClient() && !change.getValue().isEmpty()) {
                percentage.setValue(Double.parseDouble(change.getValue()));
            }
        });
        percentage.addValueChangeListener(change -> slider.setValue(change.getValue() == null ? "0" : String.valueOf(change.getValue())));
        percentage.setWidthFull();
        return new Div(percentage, slider);
    }

    /** What each Prometheus query of the form's experiment gives now; refreshed while the form is shown. */
    private void showCurrentValues() {
        if (!FORM_TAB.equals(shownTab)) {
            return;
        }
        ObjectNode current = fromForm();
        List<Measurements.NamedQuery> queries = ExperimentCodec.check(current).isEmpty()
                ? Measurements.queries(ExperimentCodec.decode(current).spec())
                : formQueries();
        currentValues.show(queries);
    }

    /** The form's guardrail and steady-state probe alone, for a form not complete enough to be an experiment yet. */
    private List<Measurements.NamedQuery> formQueries() {
        List<Measurements.NamedQuery> queries = new ArrayList<>();
        formQuery("spec.steadyState.probes[0]", probeSignal, probeService, PROBE_WINDOW).ifPresent(queries::add);
        formQuery("spec.guardrails[0]", signal, guardrailService, GUARDRAIL_WINDOW).ifPresent(queries::add);
        return queries;
    }

    private Optional<Measurements.NamedQuery> formQuery(String path, Select<String> preset, TextField watchedField, java.time.Duration window) {
        String watched = watchedField.getValue().isBlank() ? serviceName() : watchedField.getValue().strip();
        if (!chosen(preset) || watched.isBlank() || namespace.getValue() == null) {
            return Optional.empty();
        }
        GoldenSignal.Signal signalKind = GoldenSignal.Signal.valueOf(preset.getValue().replaceAll("([a-z])([A-Z])", "$1_$2")
                .toUpperCase(java.util.Locale.ROOT));
        return Optional.of(new Measurements.NamedQuery(path, preset.getValue() + " of " + watched, new GoldenSignal(signalKind, watched,
                namespace.getValue(), window, GoldenSignal.Reporter.DESTINATION, false).promql()));
    }

    @Override
    protected void onAttach(AttachEvent attach) {
        attach.getUI().setPollInterval(CURRENT_VALUES_EVERY_MS);
        polling = attach.getUI().addPollListener(poll -> showCurrentValues());
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
            document = fromForm();
        }
        List<FieldError> errors = ExperimentCodec.check(document);
        showErrors(errors);
        return errors.isEmpty() ? Optional.of(ExperimentCodec.decode(document)) : Optional.empty();
    }

    private void showErrors(List<FieldError> errors) {
        fieldsByPath.values().forEach(field -> field.setInvalid(false));
        for (HasValidation field : List.of(delay, delayPercentage, abortStatus, abortPercentage, signal, probeSignal)) {
            field.setInvalid(false);
        }
        otherErrors.removeAll();
        Map<HasValidation, List<String>> byField = new LinkedHashMap<>();
        for (FieldError error : errors) {
            HasValidation field = fieldFor(error.path());
            if (field == null) {
                otherErrors.add(new ListItem(error.path() + ": " + error.message()));
            } else {
                byField.computeIfAbsent(field, f -> new ArrayList<>()).add(error.message());
            }
        }
        byField.forEach((field, messages) -> {
            field.setErrorMessage(String.join("; ", messages));
            field.setInvalid(true);
        });
        if (!errors.isEmpty()) {
            Notification.show(errors.size() + (errors.size() == 1 ? " problem" : " problems") + "; nothing was saved", 4000,
                    Notification.Position.TOP_CENTER).addThemeVariants(NotificationVariant.LUMO_ERROR);
        }
    }

    /** The form field an error path concerns (faults are located by kind), or null when only the YAML shows it. */
    private HasValidation fieldFor(String path) {
        if (fieldsByPath.containsKey(path)) {
            return fieldsByPath.get(path);
        }
        java.util.regex.Matcher fault = java.util.regex.Pattern.compile("spec\\.faults\\[(\\d+)]\\.(delay|abort)\\.?(.*)").matcher(path);
        if (fault.matches()) {
            boolean percentage = fault.group(3).equals("percentage");
            return fault.group(2).equals("delay") ? (percentage ? delayPercentage : delay) : (percentage ? abortPercentage : abortStatus);
        }
        if (path.equals("spec.faults")) {
            return delay;
        }
        if (path.startsWith("spec.steadyState.probes[0]")) {
            return probeSignal;
        }
        return path.startsWith("spec.guardrails[0]") ? signal : null;
    }

    private Optional<SavedExperiment> save() {
        Optional<Experiment> experiment = checked();
        if (experiment.isEmpty()) {
            return Optional.empty();
        }
        String experimentName = experiment.get().name();
        try {
            SavedExperiment saved = actions.audited(user, "PUT", "/api/v1/experiments/" + experimentName, () -> {
                policy.requireGrant(caller, experiment.get().spec().target().namespace());
                experiments.find(experimentName).ifPresent(existing -> policy.requireGrant(caller,
                        existing.experiment().spec().target().namespace()));
                return experiments.apply(experiment.get(), user.name()).saved();
            });
            heading.setText(saved.experiment().name() + " · revision " + saved.revision());
            history.refresh(saved.experiment().name());
            document = ExperimentCodec.toTree(saved.experiment());
            Notification.show("Saved revision " + saved.revision(), 3000, Notification.Position.TOP_CENTER)
                    .addThemeVariants(NotificationVariant.LUMO_SUCCESS);
            UI.getCurrent().getPage().getHistory().replaceState(null, "experiments/" + saved.experiment().name());
            return Optional.of(saved);
        } catch (PolicyDeniedException | dev.faultline.ResourceConflictException e) {
            Notification.show(UiActions.message(e), 5000, Notification.Position.TOP_CENTER).addThemeVariants(NotificationVariant.LUMO_ERROR);
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
        VerticalLayout body = new VerticalLayout();
        body.setId("preview-body");
        try {
            FaultPlan plan = injector.plan(FaultRequest.of("preview", experiment.get().spec(), clock.instant(), false));
            body.add(new Div(plan.action() + " " + plan.rule().kind() + " " + plan.rule().namespace() + "/" + plan.rule().resource()
                    + ", route " + plan.rule().route()));
            UnorderedList warnings = new UnorderedList();
            plan.warnings().forEach(w -> warnings.add(new ListItem(w)));
            if (!plan.warnings().isEmpty()) {
                body.add(new H4("Warnings"), warnings);
            }
            policy.violations(experiment.get().spec()).forEach(v -> body.add(new Div("Policy: " + v.path() + ": " + v.message())));
            Pre after = new Pre(plan.after() == null ? "" : plan.after().path("spec").toPrettyString());
            after.setId("preview-after");
            body.add(new H4("After (spec)"), after);
        } catch (MeshException e) {
            body.add(new Div("The target does not resolve: " + e.getMessage()));
        }
        dialog.add(body);
        dialog.getFooter().add(new Button("Close", click -> dialog.close()));
        dialog.open();
    }

    private void run() {
        Optional<SavedExperiment> saved = save();
        if (saved.isEmpty()) {
            return;
        }
        Run run = actions.audited(user, "POST", "/api/v1/experiments/" + saved.get().experiment().name() + "/runs",
                () -> engine.start(saved.get(), false, user.name()));
        UI.getCurrent().navigate(RunView.class, new RouteParameters("id", run.id()));
    }

    private static String describe(List<FieldError> errors) {
        return String.join("; ", errors.stream().map(e -> e.path() + ": " + e.message()).toList());
    }
}

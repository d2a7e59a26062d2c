package dev.faultline.ui;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Function;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Input;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.NumberField;
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.value.ValueChangeMode;

import dev.faultline.FieldError;
import dev.faultline.Durations;
import dev.faultline.metrics.GoldenSignal;
import dev.faultline.run.Measurements;

/**
 * The designer's form: what most experiments need (target picked from what the cluster has, a
 * delay and an abort with sliders, duration, a golden-signal guardrail and steady-state probe). It
 * reads and writes only its own fields of the document, so whatever only the YAML shows survives
 * a trip through it; errors land on the field they concern.
 */
class ExperimentForm extends FormLayout {

    /** The window the form gives a golden-signal guardrail. */
    static final Duration GUARDRAIL_WINDOW = Duration.ofSeconds(30);
    /** The window the form gives a golden-signal steady-state probe: the state before the run, not a blip. */
    static final Duration PROBE_WINDOW = Duration.ofMinutes(1);

    private final Function<String, List<String>> services;
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
    private final Map<String, HasValidation> fieldsByPath = new LinkedHashMap<>();

    /** {@code services}: the services a run could target in a namespace. */
    ExperimentForm(List<String> namespaces, Function<String, List<String>> services) {
        this.services = services;
        description.setId("description");
        namespace.setId("namespace");
        namespace.setItems(namespaces);
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

        setResponsiveSteps(new FormLayout.ResponsiveStep("0", 1), new FormLayout.ResponsiveStep("700px", 3));
        add(name, team, tags);
        add(description, 3);
        add(new H4("Target"), 3);
        add(namespace, service, subset);
        add(new H4("Faults"), 3);
        add(delay, withSlider(delayPercentage), new Div());
        add(abortStatus, withSlider(abortPercentage), duration);
        add(new H4("Guardrail (more in YAML)"), 3);
        add(signal, guardrailService, below, interval);
        add(new H4("Steady state, checked before and after (more in YAML)"), 3);
        add(probeSignal, probeService, probeBelow);

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

    /** Shows the form's fields of {@code doc}. */
    void show(JsonNode doc) {
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

    /** A copy of {@code base} with the form's fields written into it; what the form does not show stays as it was. */
    ObjectNode writeInto(ObjectNode base) {
        ObjectNode doc = base.deepCopy();
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
    private void writeGoldenSignal(ObjectNode check, String preset, String watched, Double threshold, Duration window) {
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
                services = this.services.apply(inNamespace);
            } catch (RuntimeException e) {
                service.setHelperText("Could not list the services: " + UiActions.message(e));
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

    /** The form's guardrail and steady-state probe alone, for a form not complete enough to be an experiment yet. */
    List<Measurements.NamedQuery> queries() {
        List<Measurements.NamedQuery> queries = new ArrayList<>();
        formQuery("spec.steadyState.probes[0]", probeSignal, probeService, PROBE_WINDOW).ifPresent(queries::add);
        formQuery("spec.guardrails[0]", signal, guardrailService, GUARDRAIL_WINDOW).ifPresent(queries::add);
        return queries;
    }

    private Optional<Measurements.NamedQuery> formQuery(String path, Select<String> preset, TextField watchedField, Duration window) {
        String watched = watchedField.getValue().isBlank() ? serviceName() : watchedField.getValue().strip();
        if (!chosen(preset) || watched.isBlank() || namespace.getValue() == null) {
            return Optional.empty();
        }
        GoldenSignal.Signal signalKind = GoldenSignal.Signal.valueOf(preset.getValue().replaceAll("([a-z])([A-Z])", "$1_$2")
                .toUpperCase(java.util.Locale.ROOT));
        return Optional.of(new Measurements.NamedQuery(path, preset.getValue() + " of " + watched, new GoldenSignal(signalKind, watched,
                namespace.getValue(), window, GoldenSignal.Reporter.DESTINATION, false).promql()));
    }

    /**
     * Shows each error on the field it concerns and returns the ones no field shows (they concern
     * what only the YAML holds).
     */
    List<FieldError> showErrors(List<FieldError> errors) {
        fieldsByPath.values().forEach(field -> field.setInvalid(false));
        for (HasValidation field : List.of(delay, delayPercentage, abortStatus, abortPercentage, signal, probeSignal)) {
            field.setInvalid(false);
        }
        List<FieldError> unshown = new ArrayList<>();
        Map<HasValidation, List<String>> byField = new LinkedHashMap<>();
        for (FieldError error : errors) {
            HasValidation field = fieldFor(error.path());
            if (field == null) {
                unshown.add(error);
            } else {
                byField.computeIfAbsent(field, f -> new ArrayList<>()).add(error.message());
            }
        }
        byField.forEach((field, messages) -> {
            field.setErrorMessage(String.join("; ", messages));
            field.setInvalid(true);
        });
        return unshown;
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
}

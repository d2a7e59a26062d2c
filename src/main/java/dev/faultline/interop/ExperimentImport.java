package dev.faultline.interop;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.Names;
import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.experiment.spec.Experiment;
import dev.faultline.experiment.spec.ExperimentCodec;

/**
 * One import of one Chaos Toolkit experiment: its top-level fields become Faultline's metadata,
 * each section goes to its mapping, and the sections' results make the document. Errors and
 * unmapped parts are listed in the order the sections are read.
 */
final class ExperimentImport {

    private static final Set<String> TOP_LEVEL = Set.of("version", "title", "description", "tags", "contributions", "configuration",
            "secrets", "extensions", "controls", "steady-state-hypothesis", "method", "rollbacks", "runtime");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final JsonNode source;
    private final ImportFindings findings = new ImportFindings();
    private final ConfigurationAndSecrets configuration;
    private final HypothesisMapping hypothesis;
    private final IstioFaults faults;
    private final MethodMapping method;
    private final RollbacksMapping rollbacks;
    private final ControlsMapping controls;

    ExperimentImport(JsonNode source, Map<String, String> vars, Function<String, Optional<String>> environment,
            Predicate<String> secretExists) {
        if (!source.isObject()) {
            throw new InvalidDocumentException(List.of(new FieldError(ExperimentCodec.DOCUMENT,
                    "must be a Chaos Toolkit experiment: an object with title, description and method")));
        }
        this.source = source;
        this.configuration = new ConfigurationAndSecrets(source, vars, environment, secretExists, findings);
        Substitutions substitutions = configuration.substitutions();
        Activities activities = new Activities(source, findings);
        Tolerances tolerances = new Tolerances(activities, substitutions, findings);
        ProbeMapping probes = new ProbeMapping(tolerances, substitutions, findings);
        this.hypothesis = new HypothesisMapping(activities, tolerances, probes, findings);
        this.faults = new IstioFaults(substitutions, findings);
        this.method = new MethodMapping(activities, faults, substitutions, findings);
        this.rollbacks = new RollbacksMapping(activities, faults, substitutions, findings);
        this.controls = new ControlsMapping(activities, tolerances, probes, findings);
    }

    /** The document, or {@link InvalidDocumentException} with every error when Chaos Toolkit would refuse the experiment. */
    ChaosToolkitImporter.Result read(Optional<String> name) {
        String title = requiredText("title");
        String description = requiredText("description");
        source.fieldNames().forEachRemaining(key -> {
            if (!TOP_LEVEL.contains(key)) {
                findings.unmapped(key, "is not a Chaos Toolkit field Faultline knows");
            }
        });
        ObjectNode document = NODES.objectNode();
        document.put("apiVersion", Experiment.API_VERSION).put("kind", Experiment.KIND);
        ObjectNode metadata = document.putObject("metadata");
        metadata.put("name", name.orElseGet(() -> slug(title, "imported-experiment")));
        if (title != null) {
            metadata.put("description", description == null ? title : title + "\n\n" + description);
        }
        ArrayNode tags = tags();
        if (!tags.isEmpty()) {
            metadata.set("tags", tags);
        }
        if (source.has("version")) {
            findings.unmapped("version", "is Chaos Toolkit's format version; Faultline documents are "
                    + Experiment.API_VERSION + " and keep their own revisions");
        }
        for (String key : List.of("contributions", "runtime", "extensions")) {
            if (source.has(key)) {
                findings.unmapped(key, "has no Faultline equivalent");
            }
        }
        ArrayNode probes = hypothesis.steadyState(source);
        method.map(source);
        rollbacks.map(source);
        ArrayNode guardrails = controls.guardrails(source);
        configuration.listUnused();
        if (findings.hasErrors()) {
            throw new InvalidDocumentException(findings.errors());
        }
        ObjectNode spec = document.putObject("spec");
        faults.writeTo(spec);
        method.duration().ifPresent(duration -> spec.put("duration", duration));
        if (!probes.isEmpty()) {
            spec.putObject("steadyState").set("probes", probes);
        }
        if (!guardrails.isEmpty()) {
            spec.set("guardrails", guardrails);
        }
        List<FieldError> problems = ExperimentCodec.check(document);
        ObjectNode result = problems.isEmpty() ? ExperimentCodec.toTree(ExperimentCodec.decode(document)) : document;
        return new ChaosToolkitImporter.Result(result, List.copyOf(findings.unmapped()), problems);
    }

    private String requiredText(String key) {
        JsonNode node = source.get(key);
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            findings.error(key, "is required: a non-empty string (Chaos Toolkit requires it too)");
            return null;
        }
        return node.asText().strip();
    }

    private ArrayNode tags() {
        ArrayNode tags = NODES.arrayNode();
        JsonNode given = source.get("tags");
        if (given == null) {
            return tags;
        }
        if (!given.isArray()) {
            findings.error("tags", "must be a list of strings");
            return tags;
        }
        for (int i = 0; i < given.size(); i++) {
            JsonNode tag = given.get(i);
            if (!tag.isTextual() || tag.asText().isEmpty()) {
                findings.error("tags[" + i + "]", "must be a non-empty string");
            } else if (!Names.TAG.matcher(tag.asText()).matches()) {
                findings.unmapped("tags[" + i + "]", "\"" + tag.asText() + "\" is not a Faultline tag (letters, digits, "
                        + "'-', '_' and '.', at most 63)");
            } else {
                tags.add(tag.asText());
            }
        }
        return tags;
    }

    /** {@code text} as a DNS label (lower case, '-' between words, cut at a word within 63), or {@code fallback}. */
    static String slug(String text, String fallback) {
        if (text == null) {
            return fallback;
        }
        String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.length() > 63) {
            slug = slug.substring(0, 63);
            int cut = slug.lastIndexOf('-');
            slug = (cut > 20 ? slug.substring(0, cut) : slug).replaceAll("-+$", "");
        }
        return slug.isEmpty() ? fallback : slug;
    }
}

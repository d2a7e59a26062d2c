package dev.faultline.interop;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;

/**
 * Turns a Chaos Toolkit experiment into a Faultline Experiment document. What maps is mapped, and
 * everything else is listed in {@link Result#unmapped()} with its path and the reason — nothing is
 * dropped silently. Input Chaos Toolkit itself would refuse ({@code chaos validate}) is refused
 * here too, every offending path listed ({@link InvalidDocumentException}).
 *
 * <p>The document may be incomplete (an experiment without Istio faults has no target or faults);
 * {@link Result#errors()} then says what a user must add, by Faultline path.
 */
public final class ChaosToolkitImporter {

    /** The Chaos Toolkit extensions the import maps; the export writes the same. */
    static final String ISTIO_ACTIONS = "chaosistio.fault.actions";
    static final String PROMETHEUS_PROBES = "chaosprometheus.probes";
    static final String K8S_DEPLOYMENT_PROBES = "chaosk8s.deployment.probes";
    static final String K8S_DEPLOYMENT_HEALTHY = "deployment_available_and_healthy";
    static final String SAFEGUARDS = "chaosaddons.controls.safeguards";

    /** The document, what did not map, and what the document still lacks to be stored. */
    public record Result(ObjectNode experiment, List<Unmapped> unmapped, List<FieldError> errors) {

        public boolean complete() {
            return errors.isEmpty();
        }
    }

    private final Function<String, Optional<String>> environment;
    private final Predicate<String> secretExists;

    /** {@code environment}: the environment variables the import may read (none, unless the operator allowed some). */
    public ChaosToolkitImporter(Function<String, Optional<String>> environment) {
        this(environment, name -> false);
    }

    /** {@code secretExists}: whether Faultline stores a secret of that name (a header from {@code secrets} refers to one). */
    public ChaosToolkitImporter(Function<String, Optional<String>> environment, Predicate<String> secretExists) {
        this.environment = environment;
        this.secretExists = secretExists;
    }

    /**
     * Maps {@code experiment}; {@code vars} are values for configuration names, as {@code chaos run
     * --var} gives them; {@code name} overrides the name derived from the title.
     */
    public Result read(JsonNode experiment, Map<String, String> vars, Optional<String> name) {
        return new ExperimentImport(experiment, vars, environment, secretExists).read(name);
    }
}

package dev.faultline.interop;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.secret.SecretService;

/**
 * Chaos Toolkit import and export. An import reads Faultline's own environment only for the
 * variables the operator listed in {@code faultline.import.allowed-env} (a name, or a prefix
 * ending in {@code *}): a Chaos Toolkit experiment may name any variable, and the answer shows
 * what it resolved to.
 */
@ApplicationScoped
public class ChaosToolkitService {

    private final List<String> allowedEnvironment;
    private final String prometheusUrl;
    private final SecretService secrets;

    ChaosToolkitService(@ConfigProperty(name = "faultline.import.allowed-env") Optional<List<String>> allowedEnvironment,
            @ConfigProperty(name = "faultline.metrics.prometheus-url", defaultValue = "http://localhost:9090") String prometheusUrl,
            SecretService secrets) {
        this.allowedEnvironment = allowedEnvironment.orElse(List.of());
        this.prometheusUrl = prometheusUrl;
        this.secrets = secrets;
    }

    /** Maps a Chaos Toolkit experiment written as JSON or YAML; see {@link ChaosToolkitImporter#read}. */
    public ChaosToolkitImporter.Result importExperiment(String text, DocumentFormat format, Map<String, String> vars, Optional<String> name) {
        JsonNode experiment = ExperimentCodec.parse(text, format);
        return new ChaosToolkitImporter(this::environment, secret -> secrets.find(secret).isPresent()).read(experiment, vars, name);
    }

    public ChaosToolkitExporter.Result export(JsonNode document) {
        return new ChaosToolkitExporter(prometheusUrl).write(document);
    }

    private Optional<String> environment(String name) {
        boolean allowed = allowedEnvironment.stream().anyMatch(entry -> entry.endsWith("*")
                ? name.startsWith(entry.substring(0, entry.length() - 1)) : entry.equals(name));
        return allowed ? Optional.ofNullable(System.getenv(name)) : Optional.empty();
    }
}

package dev.faultline.interop;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The experiment's {@code configuration} and {@code secrets}: checked, made into the
 * {@link Substitutions} that every mapping uses, and, once all is mapped, what nothing used listed
 * as unmapped.
 */
final class ConfigurationAndSecrets {

    private final ImportFindings findings;
    private final Substitutions substitutions;

    ConfigurationAndSecrets(JsonNode source, Map<String, String> vars, Function<String, Optional<String>> environment,
            Predicate<String> secretExists, ImportFindings findings) {
        this.findings = findings;
        JsonNode configuration = objectOrNull(source, "configuration");
        JsonNode secrets = objectOrNull(source, "secrets");
        if (secrets != null) {
            secrets.properties().forEach(scope -> {
                if (!scope.getValue().isObject()) {
                    findings.error("secrets." + scope.getKey(), "must be an object of secrets, one scope per key");
                }
            });
        }
        // Substitutions reads each scope as an object; with any error here the import is refused anyway
        this.substitutions = new Substitutions(configuration, secrets == null || findings.hasErrors() ? null : secrets, vars, environment,
                secretExists);
    }

    private JsonNode objectOrNull(JsonNode source, String key) {
        JsonNode node = source.get(key);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            findings.error(key, "must be an object");
            return null;
        }
        return node;
    }

    Substitutions substitutions() {
        return substitutions;
    }

    /** Lists as unmapped each configuration and secret entry that nothing substituted so far used. */
    void listUnused() {
        substitutions.unused().forEach((name, declared) -> {
            String reason = name.equals("prometheus_base_url")
                    ? "Faultline queries the Prometheus it is configured with (faultline.metrics.prometheus-url)"
                    : declared.startsWith("secrets.")
                            ? "used by nothing Faultline imported (Faultline reaches Kubernetes with its own service account)"
                            : "used by nothing Faultline imported";
            findings.unmapped(declared, reason);
        });
    }
}

package dev.faultline.playground;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;

/**
 * With {@code faultline.playground.enabled=true}, answers the keys that point Faultline at a cluster
 * and a Prometheus with the playground's own ({@link Playground}), and allows its namespace in the
 * policy; each answer below every configured value (ordinal {@value #ORDINAL}), so a deployer's
 * policy still wins. The playground starts when one of them is first read, so nothing starts while
 * Quarkus builds the application.
 *
 * <p>It never runs next to a real cluster: when the Kubernetes API or Prometheus is configured
 * ({@value #API_SERVER}, {@code KUBECONFIG}, {@value #PROMETHEUS}) it answers only
 * {@value #REFUSED}, the reason, and {@link PlaygroundStartup} refuses to start.
 */
public class PlaygroundConfigSourceFactory implements ConfigSourceFactory {

    public static final String ENABLED = "faultline.playground.enabled";
    public static final String REFUSED = "faultline.playground.refused";
    static final String API_SERVER = "quarkus.kubernetes-client.api-server-url";
    static final String PROMETHEUS = "faultline.metrics.prometheus-url";
    static final String NAMESPACES = "faultline.policy.allowed-namespaces";
    static final String PROMETHEUS_BINARY = "faultline.playground.prometheus-binary";
    static final int ORDINAL = 110;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (!value(context, ENABLED).map(Boolean::parseBoolean).orElse(false)) {
            return List.of();
        }
        List<String> configured = new ArrayList<>();
        configured(context, API_SERVER).ifPresent(url -> configured.add(API_SERVER));
        Optional.ofNullable(System.getenv("KUBECONFIG")).filter(v -> !v.isBlank()).ifPresent(v -> configured.add("KUBECONFIG"));
        configured(context, PROMETHEUS).ifPresent(url -> configured.add(PROMETHEUS));
        if (!configured.isEmpty()) {
            return List.of(new Refusal(ENABLED + " is true, but a cluster is configured (" + String.join(", ", configured)
                    + "): the playground never runs next to a real cluster. Unset " + String.join(" and ", configured)
                    + " to try the playground, or set " + ENABLED + "=false to use the cluster"));
        }
        Path dataDir = value(context, "faultline.data-dir").map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("user.home"), ".faultline")).toAbsolutePath();
        Path binary = value(context, PROMETHEUS_BINARY).map(Path::of).orElse(PrometheusServer.BINARY);
        return List.of(new LazySource(dataDir, binary));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    /** A value a deployer set: not a default (whose sources have ordinals below zero). */
    private static Optional<String> configured(ConfigSourceContext context, String key) {
        ConfigValue value = context.getValue(key);
        return value == null || value.getConfigSourceOrdinal() <= 0 ? Optional.empty() : value(context, key);
    }

    private static Optional<String> value(ConfigSourceContext context, String key) {
        ConfigValue value = context.getValue(key);
        return Optional.ofNullable(value == null ? null : value.getValue()).filter(v -> !v.isBlank());
    }

    private record Refusal(String reason) implements ConfigSource {

        @Override
        public Set<String> getPropertyNames() {
            return Set.of(REFUSED);
        }

        @Override
        public String getValue(String propertyName) {
            return REFUSED.equals(propertyName) ? reason : null;
        }

        @Override
        public String getName() {
            return "faultline-playground-refusal";
        }

        @Override
        public int getOrdinal() {
            return ORDINAL;
        }
    }

    private record LazySource(Path dataDir, Path binary) implements ConfigSource {

        @Override
        public Set<String> getPropertyNames() {
            return Set.of(); // listing must not start the playground
        }

        @Override
        public String getValue(String propertyName) {
            return switch (propertyName) {
                case API_SERVER -> Playground.start(dataDir, binary).apiServerUrl();
                case PROMETHEUS -> Playground.start(dataDir, binary).prometheusUrl().toString();
                case NAMESPACES -> Playground.NAMESPACE;
                default -> null;
            };
        }

        @Override
        public String getName() {
            return "faultline-playground";
        }

        @Override
        public int getOrdinal() {
            return ORDINAL;
        }
    }
}

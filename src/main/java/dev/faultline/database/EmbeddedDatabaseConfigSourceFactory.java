package dev.faultline.database;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;

/**
 * Answers {@value #EMBEDDED_URL}, the default of {@code quarkus.datasource.jdbc.url} in
 * application.properties, by starting the embedded PostgreSQL.
 *
 * <p>The server starts only when that key is first read, so nothing starts while Quarkus builds
 * the application, nor when the deployer sets {@code quarkus.datasource.jdbc.url} themselves.
 */
public class EmbeddedDatabaseConfigSourceFactory implements ConfigSourceFactory {

    static final String EMBEDDED_URL = "faultline.database.embedded-url";
    static final String DATA_DIR = "faultline.data-dir";
    static final String PORT = "faultline.database.embedded-port";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Path dataDir = value(context, DATA_DIR)
                .map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("user.home"), ".faultline"))
                .toAbsolutePath()
                .resolve("postgres");
        int port = value(context, PORT).map(String::strip).map(Integer::parseInt).orElse(0);
        return List.of(new LazySource(dataDir, port));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(100);
    }

    private static java.util.Optional<String> value(ConfigSourceContext context, String key) {
        ConfigValue value = context.getValue(key);
        return java.util.Optional.ofNullable(value == null ? null : value.getValue()).filter(v -> !v.isBlank());
    }

    private record LazySource(Path dataDir, int port) implements ConfigSource {

        @Override
        public Set<String> getPropertyNames() {
            return Set.of(); // listing must not start the server
        }

        @Override
        public String getValue(String propertyName) {
            return EMBEDDED_URL.equals(propertyName) ? EmbeddedPostgres.start(dataDir, port).jdbcUrl() : null;
        }

        @Override
        public String getName() {
            return "faultline-embedded-postgresql";
        }

        @Override
        public int getOrdinal() {
            return 100;
        }
    }
}

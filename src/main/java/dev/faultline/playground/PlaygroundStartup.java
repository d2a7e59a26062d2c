package dev.faultline.playground;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.Experiment;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The playground's part of start-up and shut-down: refuses to start next to a configured cluster
 * (before anything else starts), loads the example experiments (those not stored yet; a user's
 * edits stay), and stops the simulated mesh after every run has ended and removed its rules.
 */
@ApplicationScoped
public class PlaygroundStartup {

    private static final Logger LOG = Logger.getLogger(PlaygroundStartup.class);
    static final String EXAMPLES = "playground/experiments";

    @Inject
    ExperimentService experiments;

    @ConfigProperty(name = PlaygroundConfigSourceFactory.ENABLED, defaultValue = "false")
    boolean enabled;

    @ConfigProperty(name = PlaygroundConfigSourceFactory.REFUSED)
    Optional<String> refused;

    /** Whether this Faultline runs the playground. */
    public boolean enabled() {
        return enabled && refused.isEmpty();
    }

    void start(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        if (refused.isPresent()) {
            throw new IllegalStateException(refused.get());
        }
        if (!enabled) {
            return;
        }
        Caller playground = new Caller("playground", Set.of(Role.EXPERIMENTER), List.of(Playground.NAMESPACE), null,
                Caller.Via.PLAYGROUND, null);
        int loaded = 0;
        for (Map.Entry<String, String> example : examples().entrySet()) {
            try {
                Experiment experiment = ExperimentCodec.decode(example.getValue(), DocumentFormat.YAML);
                if (experiments.find(experiment.name()).isEmpty()) {
                    experiments.apply(playground, experiment);
                    loaded++;
                }
            } catch (RuntimeException e) {
                LOG.warnf("Playground: could not load the example %s: %s", example.getKey(), e.getMessage());
            }
        }
        LOG.infof("Playground: %d example experiment(s) loaded, namespace %s allowed; open the UI and run one", loaded,
                Playground.NAMESPACE);
    }

    void stop(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER + 500) ShutdownEvent event) {
        Playground.stop();
    }

    /** The example experiments shipped in the jar (the repository's {@code experiments/}), by file name. */
    static Map<String, String> examples() {
        Map<String, String> found = new java.util.TreeMap<>();
        try {
            var urls = Thread.currentThread().getContextClassLoader().getResources(EXAMPLES);
            while (urls.hasMoreElements()) {
                URI uri = urls.nextElement().toURI();
                if ("jar".equals(uri.getScheme())) {
                    try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                        read(jar.getPath(EXAMPLES), found);
                    } catch (java.nio.file.FileSystemAlreadyExistsException open) {
                        read(FileSystems.getFileSystem(uri).getPath(EXAMPLES), found);
                    }
                } else {
                    read(Path.of(uri), found);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not list the example experiments", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    private static void read(Path folder, Map<String, String> found) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(folder)) {
            list.filter(file -> file.getFileName().toString().endsWith(".yaml")).forEach(files::add);
        }
        for (Path file : files) {
            found.putIfAbsent(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
        }
    }
}

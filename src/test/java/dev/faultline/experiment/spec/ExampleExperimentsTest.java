package dev.faultline.experiment.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every file in experiments/ is a valid document that survives a trip through JSON and YAML. */
class ExampleExperimentsTest {

    static List<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("experiments"))) {
            List<Path> found = files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")
                    || p.toString().endsWith(".json")).sorted().toList();
            assertFalse(found.size() < 4, "experiments/ should hold at least four examples");
            return found;
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void exampleIsValidAndRoundTrips(Path file) throws IOException {
        DocumentFormat format = file.toString().endsWith(".json") ? DocumentFormat.JSON : DocumentFormat.YAML;
        Experiment experiment = ExperimentCodec.decode(Files.readString(file), format);

        assertEquals(file.getFileName().toString().replaceAll("\\.(ya?ml|json)$", ""), experiment.name(),
                "file name matches metadata.name");
        assertEquals(experiment, ExperimentCodec.decode(ExperimentCodec.encode(experiment, DocumentFormat.YAML), DocumentFormat.YAML));
        assertEquals(experiment, ExperimentCodec.decode(ExperimentCodec.encode(experiment, DocumentFormat.JSON), DocumentFormat.JSON));
    }
}

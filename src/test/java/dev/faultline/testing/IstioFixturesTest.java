package dev.faultline.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The copy of Istio's fixtures in this repository stays byte for byte what the shared fixtures hold. */
class IstioFixturesTest {

    private static final Path SHARED = Path.of("..", "shared", "fixtures", "istio");

    @Test
    void theCopyMatchesTheSharedFixtures() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(SHARED), "no shared fixtures next to this clone");
        try (Stream<Path> files = Files.list(SHARED)) {
            for (Path shared : files.toList()) {
                Path copy = IstioFixtures.FOLDER.resolve(shared.getFileName());
                assertThat(copy).as("copy of %s", shared.getFileName()).exists();
                assertThat(Files.mismatch(shared, copy)).as("%s differs from the shared fixture", copy).isEqualTo(-1L);
            }
        }
    }
}

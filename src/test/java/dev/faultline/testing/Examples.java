package dev.faultline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The example experiments shipped in experiments/, read as users would send them. */
public final class Examples {

    private Examples() {
    }

    public static String yaml(String name) {
        try {
            return Files.readString(Path.of("experiments", name + ".yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

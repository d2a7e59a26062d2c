package dev.faultline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Every secret the suite creates or receives (passwords, token secrets, webhook URLs), kept in
 * {@link #FILE} so that {@code LogSecretsIT} can check afterwards that none reached the log.
 */
public final class TestSecrets {

    public static final Path FILE = Path.of("target", "test-secrets.txt");
    /** The log file of the Quarkus test run ({@code %test.quarkus.log.file.path}). */
    public static final Path LOG = Path.of("target", "faultline-test.log");

    private static final java.util.Set<String> REMEMBERED = new java.util.HashSet<>();

    private TestSecrets() {
    }

    public static synchronized String remember(String secret) {
        if (!REMEMBERED.add(secret)) {
            return secret;
        }
        try {
            Files.writeString(FILE, secret + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return secret;
    }
}

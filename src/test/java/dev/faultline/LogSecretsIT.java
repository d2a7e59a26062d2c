package dev.faultline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.faultline.testing.TestSecrets;

/**
 * Runs after the unit and Quarkus tests: their whole log (application log and access log) must not
 * contain any secret they created or used — passwords, token secrets, webhook URLs — nor anything
 * shaped like a token secret or a password hash.
 */
class LogSecretsIT {

    private static final Pattern TOKEN_SECRET = Pattern.compile("flt_[A-Za-z0-9]{12}_[A-Za-z0-9]{32}");
    private static final Pattern BCRYPT_HASH = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");

    @Test
    void theTestSuitesLogHoldsNoSecret() throws IOException {
        assertThat(TestSecrets.LOG).as("the suite's log; run the Quarkus tests first (./mvnw verify)").exists();
        String log = readLogs();
        List<String> secrets = Files.readAllLines(TestSecrets.FILE, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank()).distinct().toList();

        assertThat(log).as("the access log captured the requests that carried secrets")
                .contains("POST /api/v1/tokens").contains("PUT /api/v1/me/password").contains("POST /api/v1/users");
        assertThat(secrets).as("secrets the suite used").hasSizeGreaterThan(10).anyMatch(secret -> secret.startsWith("flt_"));
        for (String secret : secrets) {
            assertThat(log.contains(secret)).as("the log contains the secret %s…", secret.substring(0, 4)).isFalse();
        }
        assertThat(TOKEN_SECRET.matcher(log).find()).as("a token secret in the log").isFalse();
        assertThat(BCRYPT_HASH.matcher(log).find()).as("a password hash in the log").isFalse();
        assertThat(log).as("Quarkus printing the session cookie's key it made up").doesNotContain("using temporary key");
    }

    private static String readLogs() throws IOException {
        Path directory = TestSecrets.LOG.toAbsolutePath().getParent();
        String name = TestSecrets.LOG.getFileName().toString();
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(file -> file.getFileName().toString().startsWith(name)).toList()) {
                all.append(Files.readString(file, StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }
}

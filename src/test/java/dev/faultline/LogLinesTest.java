package dev.faultline;

import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.security.Role;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestSecrets;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Text users write cannot forge a line of the application log: what the suite's log file holds
 * after a halt whose reason carries line breaks and a line shaped like Faultline's own, and after
 * an exception whose message does.
 */
@QuarkusTest
class LogLinesTest {

    /** How the log file's lines start (the default format: date, time, host, level). */
    private static final String FORGED_START = "2026-12-02 04:00:00,000 ";

    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;

    private long logSize;

    @BeforeEach
    void markTheLogsEnd() throws IOException {
        database.clear();
        logSize = Files.exists(TestSecrets.LOG) ? Files.size(TestSecrets.LOG) : 0;
    }

    @Test
    void aViewerHaltingWithALineBreakInTheReasonGetsOneLogLine() throws IOException {
        users.create("vic", List.of(), Role.VIEWER);
        String forged = FORGED_START + "ERROR [dev.faultline.run.HaltService] (main) re-armed by admin " + UUID.randomUUID();
        String reason = "drill\r\n" + forged + "\n\u001b[2Kcleared";
        try {
            as("vic", TestUsers.password("vic")).contentType(ContentType.JSON).body(Map.of("reason", reason)).post("/api/v1/halt")
                    .then().statusCode(200);

            List<String> lines = awaitLines(forged);
            assertThat(lines).filteredOn(line -> line.contains(forged)).singleElement().asString()
                    .contains(" WARN ").contains("Halted by vic (drill\\r\\n" + forged + "\\n\\u001b[2Kcleared): 0 runs aborted");
            assertThat(lines).noneMatch(line -> line.startsWith(FORGED_START)).noneMatch(line -> line.contains("\u001b"));
        } finally {
            asAdmin().delete("/api/v1/halt").then().statusCode(200);
        }
    }

    @Test
    void anExceptionWhoseMessageHasLineBreaksKeepsThemEscapedAndItsFramesOnLinesOfTheirOwn() throws IOException {
        String forged = FORGED_START + "INFO  [dev.faultline] (main) all clear " + UUID.randomUUID();
        RuntimeException cause = new RuntimeException("the cause\n" + forged + " (cause)");
        Logger.getLogger(LogLinesTest.class).error("A failure with user text", new IllegalStateException("boom\n" + forged, cause));

        List<String> lines = awaitLines(forged + " (cause)");
        String first = "A failure with user text: java.lang.IllegalStateException: boom\\n" + forged;
        String logged = lines.stream().filter(line -> line.endsWith(first)).findFirst()
                .orElseThrow(() -> new AssertionError("no line ends with " + first + "; these name it: "
                        + lines.stream().filter(line -> line.contains(forged)).toList()));
        assertThat(lines.get(lines.indexOf(logged) + 1)).as("its first frame")
                .startsWith("\tat dev.faultline.LogLinesTest.anExceptionWhoseMessageHasLineBreaks");
        assertThat(lines).contains("Caused by: java.lang.RuntimeException: the cause\\n" + forged + " (cause)")
                .noneMatch(line -> line.startsWith(FORGED_START));
    }

    /** The lines the log file got since the test began, once one of them holds {@code text}. */
    private List<String> awaitLines(String text) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String written = "";
        while (System.nanoTime() < deadline) {
            written = written();
            if (written.contains(text)) {
                return written.lines().toList();
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("the log did not get " + text + " within 10 s; it got:\n" + written);
    }

    private String written() throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(TestSecrets.LOG.toFile(), "r")) {
            byte[] bytes = new byte[(int) Math.max(0, file.length() - logSize)];
            file.seek(logSize);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}

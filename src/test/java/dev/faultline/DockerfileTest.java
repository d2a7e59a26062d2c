package dev.faultline;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The image builds from what the repository holds, the frontend from its lock file included: every
 * file the build reads is copied into the build stage before the build runs, and every other file
 * git tracks is listed here with why the build does without it. A new top-level file fails this test
 * until it is copied or listed.
 */
class DockerfileTest {

    /** What the build reads (besides what it generates), and what reads it. */
    private static final Map<String, String> READ_BY_THE_BUILD = Map.ofEntries(
            entry("pom.xml", "the build"),
            entry("mvnw", "the Maven wrapper the build runs"),
            entry(".mvn", "the wrapper's Maven version"),
            entry("migrations", "a resource directory: the jar carries them as db/migration"),
            entry("src/main", "the code, its resources and the frontend's sources"),
            entry("src/build", "the AOT training run that package makes app.aot with (the aot-cache profile)"),
            entry("package.json", "the frontend's npm dependencies, which the Vaadin build installs"),
            entry("package-lock.json", "the versions npm ci installs (vaadin.ci.build), rather than what npm resolves that day"),
            entry("tsconfig.json", "the TypeScript compiler's settings for the frontend"),
            entry("types.d.ts", "the frontend's TypeScript declarations"),
            entry("vite.config.ts", "the Vite build's configuration (it imports the generated vite.generated.ts)"));

    /** What git tracks that the build does not read, and why. */
    private static final Map<String, String> NOT_NEEDED = Map.ofEntries(
            entry("src/test", "the tests: the image builds with -DskipTests"),
            entry("mvnw.cmd", "the wrapper for Windows"),
            entry("Dockerfile", "read by docker, not by the build"),
            entry(".dockerignore", "read by docker, not by the build"),
            entry(".gitignore", "read by git"),
            entry(".ci", "the CI entry point, which runs the tests on a clone"),
            entry("README.md", "documentation"),
            entry("docs", "documentation and screenshots"),
            entry("experiments", "example experiments for users to import; the tests read them, the application does not"),
            entry("bench", "benchmarks, built only with -Pbench"),
            entry("deploy", "manifests that run the image on Kubernetes"));

    private static final Path DOCKERFILE = Path.of("Dockerfile");

    @Test
    void everythingTheBuildReadsIsCopiedBeforeItRuns() throws IOException {
        List<String> copied = copiedBeforeTheBuild();
        assertThat(READ_BY_THE_BUILD.keySet()).as("copied into the build stage before the package step: %s", copied)
                .allSatisfy(read -> assertThat(copied.stream().anyMatch(source -> covers(source, read)))
                        .as("%s (%s) is copied", read, READ_BY_THE_BUILD.get(read)).isTrue());
    }

    @Test
    void everyTrackedFileIsCopiedOrListedAsNotNeeded() throws IOException {
        List<String> copied = copiedBeforeTheBuild();
        List<String> unaccounted = tracked().stream()
                .filter(file -> copied.stream().noneMatch(source -> covers(source, file)))
                .filter(file -> NOT_NEEDED.keySet().stream().noneMatch(listed -> covers(listed, file)))
                .toList();
        assertThat(unaccounted).as("tracked files neither copied into the build stage nor listed in NOT_NEEDED").isEmpty();
        assertThat(READ_BY_THE_BUILD.keySet()).as("read by the build, yet listed as not needed")
                .noneMatch(read -> NOT_NEEDED.keySet().stream().anyMatch(listed -> covers(listed, read)));
    }

    @Test
    void dockerignoreKeepsNothingTheBuildReadsOutOfTheContext() throws IOException {
        List<String> ignored = Files.readAllLines(Path.of(".dockerignore")).stream().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).map(line -> line.replaceAll("^/|/$", "")).toList();
        assertThat(READ_BY_THE_BUILD.keySet()).allSatisfy(read -> assertThat(ignored)
                .as("patterns of .dockerignore matching %s", read)
                .noneMatch(pattern -> FileSystems.getDefault().getPathMatcher("glob:" + pattern).matches(Path.of(read))));
    }

    /** The sources of the build stage's COPY lines up to the line that packages the application. */
    private static List<String> copiedBeforeTheBuild() throws IOException {
        List<String> lines = Files.readAllLines(DOCKERFILE);
        int stage = firstIndex(lines, "FROM ");
        assertThat(lines.get(stage)).as("the first stage builds").endsWith(" AS build");
        List<String> sources = new ArrayList<>();
        for (String line : lines.subList(stage + 1, lines.size())) {
            if (line.startsWith("FROM ")) {
                break;
            }
            if (line.startsWith("RUN ") && line.contains(" package")) {
                return sources;
            }
            if (line.startsWith("COPY ")) {
                List<String> words = Arrays.stream(line.substring(5).strip().split("\\s+")).filter(word -> !word.startsWith("--")).toList();
                assertThat(words).as("a COPY with sources and a destination: %s", line).hasSizeGreaterThan(1);
                words.subList(0, words.size() - 1).forEach(source -> sources.add(source.replaceAll("^\\./|/$", "")));
            }
        }
        throw new AssertionError("the build stage of the Dockerfile has no RUN ... package line");
    }

    private static int firstIndex(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("the Dockerfile has no line starting with " + prefix);
    }

    /** Whether copying or listing {@code entry} (a file or a directory) takes in {@code path}. */
    private static boolean covers(String entry, String path) {
        return entry.equals(".") || path.equals(entry) || path.startsWith(entry + "/");
    }

    /** The files git tracks, relative to the repository's root. */
    private static List<String> tracked() throws IOException {
        Process git = new ProcessBuilder("git", "ls-files").redirectErrorStream(true).start();
        String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            assertThat(git.waitFor(30, TimeUnit.SECONDS) && git.exitValue() == 0).as("git ls-files: %s", out).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        List<String> files = out.lines().filter(line -> !line.isBlank()).toList();
        assertThat(files).as("files git tracks").contains("pom.xml");
        return files;
    }
}

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The training run that makes the JDK's AOT cache (JEP 483/514/515) at package time, run by the
 * aot-cache profile of pom.xml after Quarkus packaged the application (JDK 25+, source launcher):
 *
 * <pre>
 *   java src/build/AotTraining.java APP_DIR DATA_DIR [JVM flags of the run command, split at spaces ...]
 * </pre>
 *
 * It starts {@code java FLAGS -XX:AOTCacheOutput=app.aot -jar quarkus-run.jar} in APP_DIR, as the README
 * and the Dockerfile run it, on DATA_DIR (its own embedded PostgreSQL, never ~/.faultline) and a free
 * port, waits until /q/health/ready answers 200, sends the requests a restart and its first users make
 * (health, metrics, the sign-in page, the API's lists), and stops it with SIGTERM; the JVM then writes
 * app.aot with what the whole start-up loaded, linked and profiled. Quarkus' own training ends after the
 * static initialisation, before Hibernate, Flyway, Quartz, the HTTP server and the reconciler start,
 * and so misses most of what a start does.
 *
 * <p>No cluster is needed (no namespace is allowed by default, so the reconciler has nothing to
 * read). When the training cannot run (no free port, PostgreSQL does not start, ...) it says why,
 * leaves no cache behind and exits 0: the package is still good, it starts without the cache (the JVM
 * warns that app.aot is missing). {@code -Dfaultline.aot.skip} skips it.
 */
public class AotTraining {

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration EXIT_TIMEOUT = Duration.ofMinutes(5);

    public static void main(String[] args) throws Exception {
        Path app = Path.of(args[0]).toAbsolutePath();
        Path dataDir = Path.of(args[1]).toAbsolutePath();
        List<String> flags = java.util.Arrays.stream(args).skip(2).flatMap(arg -> java.util.Arrays.stream(arg.split("\\s+")))
                .filter(flag -> !flag.isBlank()).toList();
        Path cache = app.resolve("app.aot");
        Files.deleteIfExists(cache);
        Files.deleteIfExists(app.resolve("app.aot.config"));
        Files.createDirectories(dataDir);
        long started = System.nanoTime();
        try {
            train(app, dataDir, flags);
        } catch (Exception e) {
            Files.deleteIfExists(cache);
            System.out.printf("[WARNING] AOT training failed, the package has no app.aot (it starts without): %s; log in %s%n",
                    e.getMessage(), dataDir.resolve("training.log"));
            return;
        }
        if (!Files.exists(cache)) {
            System.out.printf("[WARNING] AOT training ran but wrote no app.aot; log in %s%n", dataDir.resolve("training.log"));
            return;
        }
        System.out.printf("[INFO] AOT cache %s (%d MiB) written by a training run of %d s%n", cache, Files.size(cache) >> 20,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    static void train(Path app, Path dataDir, List<String> flags) throws Exception {
        int port = freePort();
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(flags);
        command.addAll(List.of("-XX:AOTCacheOutput=app.aot", "-Dfaultline.data-dir=" + dataDir, "-Dquarkus.http.port=" + port,
                "-Dquarkus.http.host=127.0.0.1", "-Dfaultline.admin.password=" + password, "-jar", "quarkus-run.jar"));
        Process process = new ProcessBuilder(command).directory(app.toFile()).redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("training.log").toFile()).start();
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + port;
            awaitReady(process, client, base);
            String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
            for (int round = 0; round < 3; round++) {
                for (String path : List.of("/q/health", "/q/health/ready", "/q/metrics", "/", "/login")) {
                    get(client, base + path, null);
                }
                for (String path : List.of("/api/v1/experiments", "/api/v1/runs", "/api/v1/schedules", "/api/v1/me")) {
                    get(client, base + path, basic);
                }
            }
        } finally {
            process.destroy(); // SIGTERM: the JVM exits normally and writes the cache on the way out
            if (!process.waitFor(EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("the trained application did not exit within " + EXIT_TIMEOUT);
            }
        }
    }

    static void awaitReady(Process process, HttpClient client, String base) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).timeout(Duration.ofSeconds(5)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the application exited (" + process.exitValue() + ") before it was ready");
            }
            try {
                if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the application was not ready within " + READY_TIMEOUT);
    }

    static void get(HttpClient client, String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        client.send(request.build(), HttpResponse.BodyHandlers.discarding());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

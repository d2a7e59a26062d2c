import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Start-to-ready time and idle memory of the packaged Faultline with its embedded PostgreSQL.
 *
 * <pre>
 *   ./mvnw -q package -DskipTests
 *   $JAVA_HOME/bin/java bench/StartupBench.java [runs=5] [idleSeconds=10]
 * </pre>
 *
 * Each run starts target/quarkus-app/quarkus-run.jar on a data directory that already holds a
 * database (the usual restart), times process start to the first 200 from /q/health/ready, waits
 * idle, then reads the PSS (proportional resident memory) of the JVM and of the PostgreSQL processes it started. A first, untimed
 * start creates the database. Prints every run and the medians.
 */
public class StartupBench {

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int idleSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        Path dataDir = Files.createTempDirectory("faultline-bench");
        String java = ProcessHandle.current().info().command().orElse("java");

        Sample first = run(java, jar, dataDir, idleSeconds);
        System.out.printf("first start (creates the database): ready in %d ms%n", first.readyMillis);

        List<Sample> samples = new ArrayList<>();
        for (int i = 1; i <= runs; i++) {
            Sample sample = run(java, jar, dataDir, idleSeconds);
            samples.add(sample);
            System.out.printf("run %d: ready in %d ms, idle PSS JVM %d MiB, PostgreSQL %d MiB%n",
                    i, sample.readyMillis, sample.jvmRssKib / 1024, sample.postgresRssKib / 1024);
        }
        System.out.printf("median of %d: start-to-ready %d ms, idle PSS JVM %d MiB, PostgreSQL %d MiB, total %d MiB%n",
                runs,
                median(samples, s -> s.readyMillis),
                median(samples, s -> s.jvmRssKib) / 1024,
                median(samples, s -> s.postgresRssKib) / 1024,
                median(samples, s -> s.jvmRssKib + s.postgresRssKib) / 1024);
    }

    record Sample(long readyMillis, long jvmRssKib, long postgresRssKib) {
    }

    static Sample run(String java, Path jar, Path dataDir, int idleSeconds) throws Exception {
        int port = freePort();
        long started = System.nanoTime();
        Process process = new ProcessBuilder(java, "-Dquarkus.http.port=" + port, "-Dfaultline.data-dir=" + dataDir,
                "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(dataDir.resolve("server.log").toFile()).start();
        try {
            long readyMillis = awaitReady(process, port, started);
            Thread.sleep(Duration.ofSeconds(idleSeconds));
            long postgres = postgresMemoryKib(dataDir);
            return new Sample(readyMillis, memoryKib(process.pid()), postgres);
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The postmaster (found by its data directory) and its backends. */
    static long postgresMemoryKib(Path dataDir) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("-D " + dataDir) && c.contains("postgres")).orElse(false))
                .flatMap(p -> java.util.stream.Stream.concat(java.util.stream.Stream.of(p), p.descendants()))
                .mapToLong(p -> memoryKib(p.pid()))
                .sum();
    }

    static long awaitReady(Process process, int port, long started) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build();
        while (process.isAlive()) {
            try {
                if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("Faultline exited before it was ready");
    }

    /** PSS: resident memory with shared pages divided among the processes that share them. */
    static long memoryKib(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup")).stream()
                    .filter(line -> line.startsWith("Pss:"))
                    .map(line -> line.replaceAll("\\D", ""))
                    .mapToLong(Long::parseLong).findFirst().orElse(0);
        } catch (IOException gone) {
            return 0;
        }
    }

    static long median(List<Sample> samples, java.util.function.ToLongFunction<Sample> value) {
        long[] sorted = samples.stream().mapToLong(value).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

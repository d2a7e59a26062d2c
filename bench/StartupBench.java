import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Start-to-ready time, its phases, and idle memory of the packaged Faultline with its embedded PostgreSQL.
 *
 * <pre>
 *   ./mvnw -B -q package -DskipTests
 *   $JAVA_HOME/bin/java bench/StartupBench.java [runs=5] [idleSeconds=10] [variant ...]
 * </pre>
 *
 * A variant is {@code label=JVM flags} (flags separated by spaces), optionally {@code label@appDir=flags}
 * to start another build than target/quarkus-app. Without variants it runs the README's command
 * (from target/quarkus-app: {@code -XX:AOTCache=app.aot} when the build made one, and the memory flags
 * of {@link #README_FLAGS}) and the bare {@code java -jar}. The variants take turns within each round,
 * so that load from elsewhere on the machine falls on all of them alike.
 *
 * <p>Each start runs {@code java [flags] -jar quarkus-run.jar} in the application's directory, as the
 * README does (the AOT cache holds the class path as it was at training, relative to that directory).
 * Each variant has its own data directory, which a first, untimed start fills with the database
 * (so every timed start is the usual restart). A timed start runs from process start to the first 200
 * from /q/health/ready; the phases come from the timestamps of the server's own log lines (the
 * Quartz and Reconciler categories are raised to INFO/DEBUG for that, which adds a handful of lines);
 * after {@code idleSeconds} idle it reads RSS and PSS (resident memory, shared pages divided among the
 * processes sharing them) of the JVM and of the PostgreSQL processes it started. Prints every run and,
 * per variant, the medians.
 */
public class StartupBench {

    /** What the README's run command adds to {@code java -jar}, besides the AOT cache. Keep in step with README and Dockerfile. */
    static final List<String> README_FLAGS = List.of();

    /** Log lines that end a phase, in start-up order: label, then a pattern its message matches. */
    static final Map<String, Pattern> MARKS = new LinkedHashMap<>();
    static {
        MARKS.put("first log line", Pattern.compile("."));
        MARKS.put("Vaadin initialised", Pattern.compile("Vaadin is running in production mode"));
        MARKS.put("PostgreSQL up", Pattern.compile("Embedded PostgreSQL ready"));
        MARKS.put("Flyway done", Pattern.compile("Successfully (validated|applied) \\d+ migrations"));
        MARKS.put("Quartz started", Pattern.compile("Scheduler \\S+ started\\."));
        MARKS.put("start-up sweep done", Pattern.compile("Start-up sweep"));
        MARKS.put("Quarkus started", Pattern.compile("started in \\d+\\.\\d+s"));
    }

    private static final Pattern LINE = Pattern.compile("^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3}) \\S+\\s+\\[[^]]*] \\([^)]*\\) (.*)$");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
    private static final Pattern POSTGRES_OWN = Pattern.compile("Embedded PostgreSQL ready .* in (\\d+) ms");
    private static final Pattern QUARKUS_OWN = Pattern.compile("started in (\\d+\\.\\d+)s");

    record Variant(String label, Path app, List<String> flags) {
    }

    record Sample(long readyMillis, Map<String, Long> marks, long postgresOwnMillis, long quarkusOwnMillis,
            long jvmRssKib, long jvmPssKib, long postgresRssKib, long postgresPssKib) {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int idleSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<Variant> variants = new ArrayList<>();
        for (String arg : Arrays.asList(args).subList(Math.min(2, args.length), args.length)) {
            variants.add(parse(arg));
        }
        if (variants.isEmpty()) {
            Path app = Path.of("target/quarkus-app");
            List<String> readme = new ArrayList<>(README_FLAGS);
            if (Files.exists(app.resolve("app.aot"))) {
                readme.add("-XX:AOTCache=app.aot");
            }
            variants.add(new Variant("README", app, readme));
            variants.add(new Variant("bare", app, List.of()));
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        System.out.printf("java %s, %d cores, %d runs, %d s idle%n", Runtime.version(), Runtime.getRuntime().availableProcessors(),
                runs, idleSeconds);

        Map<Variant, Path> dataDirs = new LinkedHashMap<>();
        for (Variant variant : variants) {
            Path dataDir = Files.createTempDirectory("faultline-bench");
            dataDirs.put(variant, dataDir);
            Sample first = run(java, variant, dataDir, 0);
            System.out.printf("%s: first start (creates the database): ready in %d ms; flags %s%n", variant.label, first.readyMillis,
                    variant.flags);
        }
        Map<Variant, List<Sample>> samples = new LinkedHashMap<>();
        for (int i = 1; i <= runs; i++) {
            for (Variant variant : variants) {
                Sample sample = run(java, variant, dataDirs.get(variant), idleSeconds);
                samples.computeIfAbsent(variant, v -> new ArrayList<>()).add(sample);
                System.out.printf("%s run %d: ready in %d ms (%s); idle JVM RSS %d MiB PSS %d MiB, PostgreSQL RSS %d MiB PSS %d MiB%n",
                        variant.label, i, sample.readyMillis, phases(sample), sample.jvmRssKib / 1024, sample.jvmPssKib / 1024,
                        sample.postgresRssKib / 1024, sample.postgresPssKib / 1024);
            }
        }
        System.out.println();
        for (Variant variant : variants) {
            List<Sample> of = samples.get(variant);
            System.out.printf("%s, median of %d: start-to-ready %d ms (runs %d–%d), Quarkus' own \"started in\" %d ms, "
                    + "PostgreSQL's own start %d ms%n",
                    variant.label, of.size(), median(of, Sample::readyMillis), min(of, Sample::readyMillis), max(of, Sample::readyMillis),
                    median(of, Sample::quarkusOwnMillis), median(of, Sample::postgresOwnMillis));
            System.out.printf("  phases (median ms since process start / since the mark before): %s, ready %d%n",
                    medianPhases(of), median(of, Sample::readyMillis));
            System.out.printf("  idle after %d s: JVM RSS %d MiB, PSS %d MiB; PostgreSQL RSS %d MiB, PSS %d MiB; PSS total %d MiB%n",
                    idleSeconds, median(of, Sample::jvmRssKib) / 1024, median(of, Sample::jvmPssKib) / 1024,
                    median(of, Sample::postgresRssKib) / 1024, median(of, Sample::postgresPssKib) / 1024,
                    median(of, s -> s.jvmPssKib + s.postgresPssKib) / 1024);
        }
    }

    static Variant parse(String arg) {
        int eq = arg.indexOf('=');
        String head = eq < 0 ? arg : arg.substring(0, eq);
        String flags = eq < 0 ? "" : arg.substring(eq + 1).strip();
        int at = head.indexOf('@');
        Path app = at < 0 ? Path.of("target/quarkus-app") : Path.of(head.substring(at + 1));
        String label = at < 0 ? head : head.substring(0, at);
        return new Variant(label, app, flags.isEmpty() ? List.of() : List.of(flags.split("\\s+")));
    }

    static Sample run(String java, Variant variant, Path dataDir, int idleSeconds) throws Exception {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(variant.flags);
        command.addAll(List.of("-Dquarkus.http.port=" + port, "-Dfaultline.data-dir=" + dataDir,
                "-Dquarkus.log.category.\"org.quartz.core.QuartzScheduler\".level=INFO",
                "-Dquarkus.log.category.\"dev.faultline.run.Reconciler\".level=DEBUG",
                "-jar", "quarkus-run.jar"));
        Path log = dataDir.resolve("server.log");
        long startedWall = System.currentTimeMillis();
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).directory(variant.app.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long readyMillis = awaitReady(process, port, started);
            Thread.sleep(Duration.ofSeconds(idleSeconds));
            long[] postgres = postgresMemoryKib(dataDir);
            long[] jvm = memoryKib(process.pid());
            List<String> lines = Files.readAllLines(log);
            return new Sample(readyMillis, marks(lines, startedWall), own(lines, POSTGRES_OWN, 1),
                    own(lines, QUARKUS_OWN, 1000), jvm[0], jvm[1], postgres[0], postgres[1]);
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Milliseconds from process start to the first log line matching each mark (absent marks are left out). */
    static Map<String, Long> marks(List<String> lines, long startedWall) {
        Map<String, Long> found = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            long at = LocalDateTime.parse(m.group(1), STAMP).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli() - startedWall;
            for (Map.Entry<String, Pattern> mark : MARKS.entrySet()) {
                if (!found.containsKey(mark.getKey()) && mark.getValue().matcher(m.group(2)).find()) {
                    found.put(mark.getKey(), at);
                }
            }
        }
        return found;
    }

    /** A duration the server logs itself (the first group), in ms. */
    static long own(List<String> lines, Pattern pattern, double toMillis) {
        for (String line : lines) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                return Math.round(Double.parseDouble(m.group(1)) * toMillis);
            }
        }
        return -1;
    }

    static String phases(Sample sample) {
        StringBuilder out = new StringBuilder();
        for (String mark : MARKS.keySet()) {
            Long at = sample.marks.get(mark);
            if (at != null) {
                out.append(out.isEmpty() ? "" : ", ").append(mark).append(' ').append(at);
            }
        }
        return out.toString();
    }

    static String medianPhases(List<Sample> samples) {
        StringBuilder out = new StringBuilder();
        long before = 0;
        for (String mark : MARKS.keySet()) {
            long[] at = samples.stream().map(s -> s.marks.get(mark)).filter(v -> v != null).mapToLong(Long::longValue).sorted().toArray();
            if (at.length == 0) {
                continue;
            }
            long median = at[at.length / 2];
            out.append(out.isEmpty() ? "" : ", ").append(mark).append(' ').append(median).append(" / +").append(median - before);
            before = median;
        }
        return out.toString();
    }

    /** RSS and PSS of the postmaster (found by its data directory) and its backends. */
    static long[] postgresMemoryKib(Path dataDir) {
        long[] sum = new long[2];
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("-D " + dataDir) && c.contains("postgres")).orElse(false))
                .flatMap(p -> Stream.concat(Stream.of(p), p.descendants()))
                .map(p -> memoryKib(p.pid()))
                .forEach(m -> {
                    sum[0] += m[0];
                    sum[1] += m[1];
                });
        return sum;
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

    /** RSS and PSS of one process, from /proc/PID/smaps_rollup. */
    static long[] memoryKib(long pid) {
        try {
            List<String> rollup = Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"));
            return new long[] { field(rollup, "Rss:"), field(rollup, "Pss:") };
        } catch (IOException gone) {
            return new long[2];
        }
    }

    private static long field(List<String> rollup, String name) {
        OptionalLong value = rollup.stream().filter(line -> line.startsWith(name))
                .map(line -> line.replaceAll("\\D", "")).mapToLong(Long::parseLong).findFirst();
        return value.orElse(0);
    }

    static long median(List<Sample> samples, ToLongFunction<Sample> value) {
        long[] sorted = samples.stream().mapToLong(value).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    static long min(List<Sample> samples, ToLongFunction<Sample> value) {
        return samples.stream().mapToLong(value).min().orElse(0);
    }

    static long max(List<Sample> samples, ToLongFunction<Sample> value) {
        return samples.stream().mapToLong(value).max().orElse(0);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

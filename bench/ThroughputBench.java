import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * How many API reads a second the packaged Faultline serves: wrk (2 threads, 32 connections, 10 s,
 * {@code --latency}) against {@code GET /api/v1/experiments} and {@code GET /api/v1/runs} with an
 * API token, and {@code GET /api/v1/experiments} with HTTP Basic.
 *
 * <pre>
 *   ./mvnw -B -q -o package -DskipTests
 *   apt-get install -y wrk
 *   $JAVA_HOME/bin/java bench/ThroughputBench.java [rounds=5] [seconds=10]
 * </pre>
 *
 * Starts target/quarkus-app/quarkus-run.jar (with JDK 22 or later, which compiles StartupBench.java
 * beside it for its helpers) on a fresh data directory with its embedded PostgreSQL and the admin's
 * password given, creates an admin API token with that password, applies the four examples of
 * experiments/ through the API and starts each twice with {@code ?wait=true}: without a cluster
 * each run fails at its start, which still leaves eight runs, each with its rules and timeline, for
 * /api/v1/runs to list. Then warms each request up for 10 s (untimed) and runs {@code rounds}
 * rounds of the three requests, printing req/s and the p99 of each round, the CPU time Faultline's
 * JVM and its PostgreSQL spent per request (from /proc; unlike req/s it hardly moves when other work
 * shares the machine), the machine's load average, the medians, and how many answers were not 200
 * (which must be none). {@code -Dbench.jvm="-XX:StartFlightRecording=..."}
 * passes options to Faultline's JVM (for profiling), {@code -Dbench.app=DIR} measures another
 * build's quarkus-app directory (a copy of an earlier one, to compare), {@code -Dbench.warmup=S}
 * changes the warm-up; the server's log is in the data directory. wrk and the server share the
 * machine's cores, so the figures are for client and server on one machine.
 */
public class ThroughputBench {

    private static final String PASSWORD = "bench-admin-Secret-0001";
    private static final Pattern REQUESTS_PER_SECOND = Pattern.compile("(?m)^Requests/sec:\\s+([0-9.]+)");
    private static final Pattern P99 = Pattern.compile("(?m)^\\s+99%\\s+([0-9.]+)(us|ms|s)\\s*$");
    private static final Pattern NON_2XX = Pattern.compile("(?m)^\\s+Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile("(?m)^\\s+Socket errors: (.*)$");
    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"(flt_[^\"]+)\"");
    private static final Pattern NAME = Pattern.compile("(?m)^  name: (\\S+)\\s*$");
    private static final Pattern STATE = Pattern.compile("\"state\"\\s*:\\s*\"([^\"]+)\"");

    /** {@code cpuMicrosPerRequest}: CPU time the JVM and its PostgreSQL spent per request answered (user + system). */
    record Round(double requestsPerSecond, double p99Millis, long non200, double cpuMicrosPerRequest) {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path jar = Path.of(System.getProperty("bench.app", "target/quarkus-app"), "quarkus-run.jar");
        int warmupSeconds = Integer.getInteger("bench.warmup", 10);
        Path dataDir = Files.createTempDirectory("faultline-throughput-bench");
        String java = ProcessHandle.current().info().command().orElse("java");
        int port = StartupBench.freePort();
        String base = "http://127.0.0.1:" + port;

        List<String> command = new ArrayList<>(List.of(java));
        String jvm = System.getProperty("bench.jvm", "").strip();
        if (!jvm.isEmpty()) {
            command.addAll(Arrays.asList(jvm.split("\\s+")));
        }
        command.addAll(List.of("-Dquarkus.http.port=" + port, "-Dfaultline.data-dir=" + dataDir,
                "-Dfaultline.admin.password=" + PASSWORD, "-jar", jar.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("server.log").toFile()).start();
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            long readyMillis = StartupBench.awaitReady(process, port, System.nanoTime());
            System.out.printf("Faultline ready in %d ms on port %d, data in %s%n", readyMillis, port, dataDir);
            String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            String bearer = "Bearer " + token(client, base, basic);
            List<String> experiments = applyExamples(client, base, bearer);
            int runs = startRuns(client, base, bearer, experiments);
            System.out.printf("%d experiments applied, %d runs started%n", experiments.size(), runs);

            Map<String, String[]> variants = new LinkedHashMap<>();
            variants.put("token  /api/v1/experiments", new String[] { bearer, base + "/api/v1/experiments" });
            variants.put("token  /api/v1/runs       ", new String[] { bearer, base + "/api/v1/runs" });
            variants.put("basic  /api/v1/experiments", new String[] { basic, base + "/api/v1/experiments" });
            for (Map.Entry<String, String[]> variant : variants.entrySet()) {
                String[] v = variant.getValue();
                expectOk(client, v[0], v[1]);
                wrk(v[0], v[1], warmupSeconds); // warm-up, untimed
            }
            Map<String, List<Round>> results = new LinkedHashMap<>();
            for (int round = 1; round <= rounds; round++) {
                for (Map.Entry<String, String[]> variant : variants.entrySet()) {
                    long cpuBefore = serverCpuTicks(process.pid(), dataDir);
                    Round measured = wrk(variant.getValue()[0], variant.getValue()[1], seconds);
                    long cpuTicks = serverCpuTicks(process.pid(), dataDir) - cpuBefore;
                    Round result = new Round(measured.requestsPerSecond, measured.p99Millis, measured.non200,
                            cpuTicks * 1_000_000.0 / TICKS_PER_SECOND / (measured.requestsPerSecond * seconds));
                    results.computeIfAbsent(variant.getKey(), key -> new ArrayList<>()).add(result);
                    System.out.printf("round %d, %s: %8.0f req/s, p99 %7.2f ms, server CPU %5.0f µs/request, %d answers not 200, load %.1f%n",
                            round, variant.getKey(), result.requestsPerSecond, result.p99Millis, result.cpuMicrosPerRequest, result.non200,
                            loadAverage());
                }
            }
            System.out.printf("median of %d rounds (wrk -t2 -c32 -d%ds):%n", rounds, seconds);
            for (Map.Entry<String, List<Round>> result : results.entrySet()) {
                System.out.printf("  %s: %8.0f req/s, p99 %7.2f ms, server CPU %5.0f µs/request, %d answers not 200 in all%n", result.getKey(),
                        median(result.getValue().stream().mapToDouble(Round::requestsPerSecond).toArray()),
                        median(result.getValue().stream().mapToDouble(Round::p99Millis).toArray()),
                        median(result.getValue().stream().mapToDouble(Round::cpuMicrosPerRequest).toArray()),
                        result.getValue().stream().mapToLong(Round::non200).sum());
            }
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** An admin token, created with the admin's password (a token cannot create tokens). */
    static String token(HttpClient client, String base, String basic) throws Exception {
        HttpResponse<String> created = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/tokens"))
                .header("Authorization", basic).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"throughput-bench\", \"roles\": [\"admin\"], \"expiresIn\": \"1d\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        Matcher matcher = TOKEN.matcher(created.body());
        if (created.statusCode() != 201 || !matcher.find()) {
            throw new IllegalStateException("creating a token answered " + created.statusCode() + ": " + created.body());
        }
        return matcher.group(1);
    }

    /** Applies every experiments/*.yaml; their names. */
    static List<String> applyExamples(HttpClient client, String base, String bearer) throws Exception {
        List<String> names = new ArrayList<>();
        List<Path> examples;
        try (Stream<Path> files = Files.list(Path.of("experiments"))) {
            examples = files.filter(file -> file.toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path example : examples) {
            String yaml = Files.readString(example);
            Matcher name = NAME.matcher(yaml);
            if (!name.find()) {
                throw new IllegalStateException(example + " has no metadata.name");
            }
            HttpResponse<String> applied = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/experiments/" + name.group(1)))
                    .header("Authorization", bearer).header("Content-Type", "application/yaml")
                    .PUT(HttpRequest.BodyPublishers.ofString(yaml)).build(), HttpResponse.BodyHandlers.ofString());
            if (applied.statusCode() / 100 != 2) {
                throw new IllegalStateException("applying " + example + " answered " + applied.statusCode() + ": " + applied.body());
            }
            names.add(name.group(1));
        }
        return names;
    }

    /** Starts each experiment twice and waits for each run to end; without a cluster they fail, and are listed all the same. */
    static int startRuns(HttpClient client, String base, String bearer, List<String> experiments) throws Exception {
        int started = 0;
        for (String experiment : experiments) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> run = client.send(HttpRequest.newBuilder(
                        URI.create(base + "/api/v1/experiments/" + experiment + "/runs?wait=true"))
                        .header("Authorization", bearer).timeout(Duration.ofSeconds(120))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                Matcher state = STATE.matcher(run.body());
                System.out.printf("run of %s: %d, %s%n", experiment, run.statusCode(), state.find() ? state.group(1) : run.body());
                if (run.statusCode() / 100 == 2) {
                    started++;
                }
            }
        }
        return started;
    }

    static void expectOk(HttpClient client, String authorization, String url) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", authorization).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        System.out.printf("%s: %d bytes%n", url, response.body().length());
    }

    static Round wrk(String authorization, String url, int seconds) throws Exception {
        Process wrk = new ProcessBuilder("wrk", "-t2", "-c32", "-d" + seconds + "s", "--latency", "-H", "Authorization: " + authorization, url)
                .redirectErrorStream(true).start();
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (wrk.waitFor() != 0) {
            throw new IllegalStateException("wrk failed: " + output);
        }
        Matcher rps = REQUESTS_PER_SECOND.matcher(output);
        Matcher p99 = P99.matcher(output);
        if (!rps.find() || !p99.find()) {
            throw new IllegalStateException("cannot read wrk's output: " + output);
        }
        Matcher socketErrors = SOCKET_ERRORS.matcher(output);
        if (socketErrors.find()) {
            System.out.println("wrk socket errors: " + socketErrors.group(1));
        }
        Matcher non2xx = NON_2XX.matcher(output);
        return new Round(Double.parseDouble(rps.group(1)), millis(Double.parseDouble(p99.group(1)), p99.group(2)),
                non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, Double.NaN);
    }

    /** Linux's USER_HZ, the unit of /proc/PID/stat's times: 100 on every common architecture. */
    static final long TICKS_PER_SECOND = 100;

    /** User + system CPU time of the JVM and of its PostgreSQL (the postmaster found by its data directory, and its backends). */
    static long serverCpuTicks(long jvmPid, Path dataDir) {
        long postgres = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("-D " + dataDir) && c.contains("postgres")).orElse(false))
                .flatMap(p -> Stream.concat(Stream.of(p), p.descendants()))
                .mapToLong(p -> cpuTicks(p.pid())).sum();
        return cpuTicks(jvmPid) + postgres;
    }

    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15 of stat)
        } catch (java.io.IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** The machine's 1-minute load average, to tell a round measured on a busy machine. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (java.io.IOException e) {
            return Double.NaN;
        }
    }

    static double millis(double value, String unit) {
        return switch (unit) {
            case "us" -> value / 1000;
            case "s" -> value * 1000;
            default -> value;
        };
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What HTTP Basic on every request costs, as a pipeline sends it: 200 sequential GETs of
 * /api/v1/experiments signed in with the same name and password, with verified passwords kept
 * (faultline.signin.cache-ttl=PT1M, the default) and with every password checked (PT0S).
 *
 * <pre>
 *   ./mvnw -B -q -o package -DskipTests
 *   $JAVA_HOME/bin/java bench/SignInBench.java [runs=3] [requests=200]
 * </pre>
 *
 * Each mode starts target/quarkus-app/quarkus-run.jar on one data directory (the first start creates
 * the database and its admin), sends 20 untimed requests to warm it, then times {@code runs}
 * rounds of {@code requests} GETs (with JDK 22 or later, which compiles StartupBench.java beside it for
 * its helpers). Prints every round with the bcrypt checks it cost (from
 * faultline_password_checks_total), the median of each mode and their ratio.
 */
public class SignInBench {

    private static final String PASSWORD = "bench-admin-Secret-0001";
    private static final Pattern CHECKS = Pattern.compile("(?m)^faultline_password_checks_total(?:\\{[^}]*})? (\\S+)$");

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        Path dataDir = Files.createTempDirectory("faultline-signin-bench");
        String java = ProcessHandle.current().info().command().orElse("java");

        long cached = median(mode(java, jar, dataDir, "PT1M", runs, requests));
        long checked = median(mode(java, jar, dataDir, "PT0S", runs, requests));
        System.out.printf("median of %d rounds of %d requests: cache on %d ms (%.1f ms each), off %d ms (%.1f ms each); off / on = %.1f%n",
                runs, requests, cached, (double) cached / requests, checked, (double) checked / requests, (double) checked / cached);
    }

    /** The milliseconds of each round with {@code faultline.signin.cache-ttl} at {@code ttl}. */
    static List<Long> mode(String java, Path jar, Path dataDir, String ttl, int runs, int requests) throws Exception {
        int port = StartupBench.freePort();
        Process process = new ProcessBuilder(java, "-Dquarkus.http.port=" + port, "-Dfaultline.data-dir=" + dataDir,
                "-Dfaultline.admin.password=" + PASSWORD, "-Dfaultline.signin.cache-ttl=" + ttl, "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(dataDir.resolve("server-" + ttl + ".log").toFile()).start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            StartupBench.awaitReady(process, port, System.nanoTime());
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/experiments"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
                    .build();
            send(client, get, 20);
            List<Long> rounds = new ArrayList<>();
            for (int i = 1; i <= runs; i++) {
                double checksBefore = checks(client, port);
                long started = System.nanoTime();
                send(client, get, requests);
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                rounds.add(millis);
                System.out.printf("cache-ttl %s, round %d: %d requests in %d ms, %.0f bcrypt checks%n", ttl, i, requests, millis,
                        checks(client, port) - checksBefore);
            }
            return rounds;
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    static void send(HttpClient client, HttpRequest request, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 200) {
                throw new IllegalStateException(request.uri() + " answered " + status);
            }
        }
    }

    static double checks(HttpClient client, int port) throws Exception {
        String metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher matcher = CHECKS.matcher(metrics);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : Double.NaN;
    }

    static long median(List<Long> values) {
        return values.stream().sorted().toList().get(values.size() / 2);
    }
}

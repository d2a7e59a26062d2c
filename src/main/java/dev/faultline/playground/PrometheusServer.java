package dev.faultline.playground;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The real {@code prometheus} binary (Debian's package), on loopback with a one-second scrape
 * interval, scraping the given local targets: the playground's, and the tests'. Its data lives in a
 * folder given (kept on close) or a temporary one (removed on close). Started as a process of its
 * own, with its arguments as a list: no shell.
 */
public final class PrometheusServer implements AutoCloseable {

    public static final Path BINARY = Path.of(System.getenv().getOrDefault("PROMETHEUS_BINARY", "/usr/bin/prometheus"));

    /** What to say when the binary is not there. */
    public static String missing(Path binary) {
        return binary + " is missing: install Debian's prometheus package (apt-get install prometheus)";
    }

    private final ProcessBuilder command;
    private final Path directory;
    private final boolean temporary;
    private final int port;
    private Process process;

    private PrometheusServer(ProcessBuilder command, Path directory, boolean temporary, int port) throws IOException {
        this.command = command;
        this.directory = directory;
        this.temporary = temporary;
        this.port = port;
        this.process = command.start();
    }

    /** Whether the binary is installed. */
    public static boolean installed(Path binary) {
        return Files.isExecutable(binary);
    }

    /** Starts Prometheus scraping {@code /metrics} on each of the loopback ports, and waits until it is ready. */
    public static PrometheusServer start(List<Integer> targetPorts) throws IOException, InterruptedException {
        return start(BINARY, Files.createTempDirectory("faultline-prometheus"), true, 0, targetPorts);
    }

    /**
     * As {@link #start(List)}, on {@code port} (0: a free one) with its configuration, log and data in
     * {@code directory}, which stays when it stops.
     */
    public static PrometheusServer start(Path binary, Path directory, int port, List<Integer> targetPorts)
            throws IOException, InterruptedException {
        return start(binary, Files.createDirectories(directory), false, port, targetPorts);
    }

    private static PrometheusServer start(Path binary, Path directory, boolean temporary, int wantedPort, List<Integer> targetPorts)
            throws IOException, InterruptedException {
        if (!installed(binary)) {
            throw new IllegalStateException(missing(binary));
        }
        String targets = String.join(", ", targetPorts.stream().map(p -> "'127.0.0.1:" + p + "'").toList());
        Path config = Files.writeString(directory.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: istio-exporter
                    scrape_interval: 1s
                    static_configs:
                      - targets: [%s]
                """.formatted(targets));
        int port = wantedPort;
        if (port == 0) {
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
        }
        ProcessBuilder command = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("prometheus.log").toFile()));
        PrometheusServer server = new PrometheusServer(command, directory, temporary, port);
        server.awaitReady();
        return server;
    }

    /** The process id of the running server. */
    public long pid() {
        return process.pid();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /** Queries this Prometheus has answered on {@code /api/v1/query}, as it counts them itself (read off its own /metrics). */
    public double queriesAnswered() throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url().resolve("metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body().lines().filter(line -> line.startsWith("prometheus_http_requests_total{")
                && line.contains("handler=\"/api/v1/query\"")).mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited: " + Files.readString(directory.resolve("prometheus.log")));
            }
            try {
                HttpResponse<Void> ready = http.send(HttpRequest.newBuilder(url().resolve("-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("prometheus did not become ready in 30 s");
    }

    /** Stops Prometheus (its data stays) until {@link #restart}: what a test of "Prometheus went away" needs. */
    public void stop() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts a stopped Prometheus again on the same port, with the same data, and waits until it is ready. */
    public void restart() throws IOException, InterruptedException {
        if (!process.isAlive()) {
            process = command.start();
        }
        awaitReady();
    }

    @Override
    public void close() throws IOException {
        stop();
        if (!temporary) {
            return;
        }
        try (var files = Files.walk(directory)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }
}

package dev.faultline.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** HTTP probes against a loopback server. */
class HttpProbeTest {

    private static HttpServer server;
    private static final AtomicReference<String> seenHeader = new AtomicReference<>();
    private static final AtomicReference<String> seenBody = new AtomicReference<>();
    private final HttpProbe probe = new HttpProbe();

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/health", exchange -> answer(exchange, 200, "{\"status\":\"UP\",\"checks\":[{\"name\":\"db\"}]}"));
        server.createContext("/broken", exchange -> answer(exchange, 503, "down"));
        server.createContext("/slow", exchange -> {
            sleep(700);
            answer(exchange, 200, "late");
        });
        server.createContext("/echo", exchange -> {
            seenHeader.set(exchange.getRequestHeaders().getFirst("X-Chaos"));
            seenBody.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            answer(exchange, 201, "created");
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        } catch (IOException clientGone) {
            // the probe timed out first
        }
    }

    private static URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static HttpProbe.Request get(String path) {
        return new HttpProbe.Request(url(path), "GET", Map.of(), null, 200, 299, Duration.ofSeconds(2), null, null, null, null);
    }

    @Test
    void aHealthyEndpointPassesWithItsLatency() {
        Check check = probe.check(get("/health"));
        assertThat(check.passed()).as(check.reason()).isTrue();
        assertThat(check.value()).isPositive().isLessThan(1000.0);
    }

    @Test
    void anUnexpectedStatusFails() {
        Check check = probe.check(get("/broken"));
        assertThat(check.passed()).isFalse();
        assertThat(check.reason()).contains("answered 503, expected 200-299");
    }

    @Test
    void aLatencyBudgetAndATimeoutAreEnforced() {
        HttpProbe.Request slow = get("/slow");
        Check overBudget = probe.check(new HttpProbe.Request(slow.url(), "GET", Map.of(), null, 200, 200, Duration.ofSeconds(2),
                Duration.ofMillis(300), null, null, null));
        assertThat(overBudget.passed()).isFalse();
        assertThat(overBudget.reason()).contains("over the budget of 300 ms");
        Check timedOut = probe.check(new HttpProbe.Request(slow.url(), "GET", Map.of(), null, 200, 200, Duration.ofMillis(200),
                null, null, null, null));
        assertThat(timedOut.passed()).isFalse();
        assertThat(timedOut.reason()).contains("did not answer within 200 ms");
    }

    @Test
    void bodyRegexAndJsonPathAreChecked() {
        HttpProbe.Request health = get("/health");
        assertThat(probe.check(withBody(health, Pattern.compile("\"UP\""), null, null)).passed()).isTrue();
        assertThat(probe.check(withBody(health, Pattern.compile("DOWN"), null, null)).reason()).contains("does not match /DOWN/");
        assertThat(probe.check(withBody(health, null, "$.status", "UP")).passed()).isTrue();
        assertThat(probe.check(withBody(health, null, "$.checks[0].name", "db")).passed()).isTrue();
        assertThat(probe.check(withBody(health, null, "$.status", "DOWN")).reason()).contains("$.status is \"UP\", expected \"DOWN\"");
        assertThat(probe.check(withBody(health, null, "$.missing", "x")).reason()).contains("nothing at $.missing");
    }

    @Test
    void methodHeadersAndBodyAreSent() {
        Check check = probe.check(new HttpProbe.Request(url("/echo"), "POST", Map.of("X-Chaos", "on"), "{\"a\":1}", 201, 201,
                Duration.ofSeconds(2), null, null, null, null));
        assertThat(check.passed()).as(check.reason()).isTrue();
        assertThat(seenHeader.get()).isEqualTo("on");
        assertThat(seenBody.get()).isEqualTo("{\"a\":1}");
    }

    @Test
    void nothingListeningFails() throws IOException {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Check check = probe.check(new HttpProbe.Request(URI.create("http://127.0.0.1:" + port + "/"), "GET", Map.of(), null, 200, 299,
                Duration.ofSeconds(1), null, null, null, null));
        assertThat(check.passed()).isFalse();
        assertThat(check.reason()).contains("connection refused");
    }

    private static HttpProbe.Request withBody(HttpProbe.Request request, Pattern regex, String path, String equals) {
        return new HttpProbe.Request(request.url(), request.method(), request.headers(), null, 200, 299, request.timeout(), null,
                regex, path, equals);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

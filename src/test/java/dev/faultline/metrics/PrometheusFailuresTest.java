package dev.faultline.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** Every way a query can fail comes back as a failed check with its own reason, never as a pass. */
class PrometheusFailuresTest {

    private static final Duration TIMEOUT = Duration.ofMillis(400);
    private HttpServer server;
    private final AtomicReference<String> authorization = new AtomicReference<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A loopback stand-in for Prometheus answering every query with {@code status} and {@code body} after {@code delay}. */
    private URI answering(int status, String body, Duration delay) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/query", exchange -> {
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            } catch (IOException clientGone) {
                // the client timed out first
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    private static Check check(QueryResult result) {
        return Check.evaluate(result, value -> true, "anything");
    }

    private static void assertFailure(QueryResult result, QueryResult.Kind kind, String reason) {
        assertThat(result).isInstanceOf(QueryResult.Failure.class);
        assertThat(((QueryResult.Failure) result).kind()).isEqualTo(kind);
        Check check = check(result);
        assertThat(check.passed()).isFalse();
        assertThat(check.value()).isNull();
        assertThat(check.reason()).contains(reason);
    }

    @Test
    void prometheusDown() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        PrometheusClient client = new PrometheusClient(URI.create("http://127.0.0.1:" + port + "/"), TIMEOUT, null);
        assertFailure(client.query("up"), QueryResult.Kind.UNREACHABLE, "could not connect to Prometheus");
    }

    @Test
    void prometheusTooSlow() throws IOException {
        PrometheusClient client = new PrometheusClient(answering(200, "{}", Duration.ofSeconds(3)), TIMEOUT, null);
        long started = System.nanoTime();
        assertFailure(client.query("up"), QueryResult.Kind.TIMEOUT, "did not answer within 400 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void prometheusAnsweringAnHttpError() throws IOException {
        PrometheusClient client = new PrometheusClient(answering(503, "<html>upstream down</html>", Duration.ZERO), TIMEOUT, null);
        assertFailure(client.query("up"), QueryResult.Kind.HTTP_ERROR, "answered HTTP 503");
    }

    @Test
    void prometheusRejectingTheQuery() throws IOException {
        PrometheusClient client = new PrometheusClient(answering(422,
                "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"query timed out in expression evaluation\"}",
                Duration.ZERO), TIMEOUT, null);
        assertFailure(client.query("up"), QueryResult.Kind.QUERY_ERROR, "query timed out in expression evaluation");
    }

    @Test
    void prometheusReturningNoSeries() throws IOException {
        PrometheusClient client = new PrometheusClient(answering(200,
                "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}", Duration.ZERO), TIMEOUT, null);
        assertFailure(client.query("up"), QueryResult.Kind.NO_DATA, "no series");
    }

    @Test
    void somethingThatIsNotPrometheus() throws IOException {
        PrometheusClient client = new PrometheusClient(answering(200, "hello", Duration.ZERO), TIMEOUT, null);
        assertFailure(client.query("up"), QueryResult.Kind.MALFORMED, "not a query result");
    }

    @Test
    void notANumberNeverPasses() throws IOException {
        PrometheusClient client = new PrometheusClient(answering(200,
                "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000.1,\"NaN\"]}}", Duration.ZERO),
                TIMEOUT, null);
        Check check = check(client.query("0/0"));
        assertThat(check.passed()).isFalse();
        assertThat(check.reason()).contains("NaN");
    }

    @Test
    void aConnectionClosedBeforeAnAnswerIsTriedOnceMoreAndOnlyOnce() throws Exception {
        String ok = "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000.1,\"1\"]}}";
        try (ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger hangUps = new java.util.concurrent.atomic.AtomicInteger(1);
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try (var connection = socket.accept()) {
                        connections.incrementAndGet();
                        var in = new java.io.BufferedReader(new java.io.InputStreamReader(connection.getInputStream()));
                        String line;
                        int length = 0;
                        while ((line = in.readLine()) != null && !line.isEmpty()) {
                            if (line.toLowerCase().startsWith("content-length:")) {
                                length = Integer.parseInt(line.substring(15).trim());
                            }
                        }
                        in.skip(length);
                        if (hangUps.getAndDecrement() > 0) {
                            continue; // a keep-alive connection the server had already closed: no byte of an answer
                        }
                        connection.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                                + ok.length() + "\r\nConnection: close\r\n\r\n" + ok).getBytes(StandardCharsets.UTF_8));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            URI url = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");

            assertThat(check(new PrometheusClient(url, TIMEOUT, null).query("1")).passed()).isTrue();
            assertThat(connections.get()).isEqualTo(2);

            hangUps.set(2);
            assertFailure(new PrometheusClient(url, TIMEOUT, null).query("1"), QueryResult.Kind.UNREACHABLE, "could not reach Prometheus");
            assertThat(connections.get()).as("one more try, not more").isEqualTo(4);
        }
    }

    @Test
    void credentialsAreSentAsConfigured() throws IOException {
        URI url = answering(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000.1,\"1\"]}}",
                Duration.ZERO);
        assertThat(check(new PrometheusClient(url, TIMEOUT, "Bearer prom-token").query("1")).passed()).isTrue();
        assertThat(authorization.get()).isEqualTo("Bearer prom-token");
        new PrometheusClient(url, TIMEOUT, null).query("1");
        assertThat(authorization.get()).isNull();
    }
}

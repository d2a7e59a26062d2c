package dev.faultline.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.vertx.core.Vertx;

/**
 * HTTP probes against loopback servers, 127.0.0.1 listed as an operator would list it: what a probe
 * judges, and what an experimenter aiming a probe at something it must not read gets back.
 */
class HttpProbeTest {

    private static final String SECRET = "AKIA-probe-secret-7Hq2";
    private static final int MIB = 1024 * 1024;

    private static HttpServer server;
    /** Listens on every address, as a service on Faultline's own host does: reachable on other loopback and interface addresses. */
    private static HttpServer elsewhere;
    private static Vertx vertx;
    private static HttpProbe probe;
    private static final AtomicReference<String> seenHeader = new AtomicReference<>();
    private static final AtomicReference<String> seenBody = new AtomicReference<>();
    private static final AtomicReference<String> seenHost = new AtomicReference<>();
    private static final AtomicInteger elsewhereCalls = new AtomicInteger();

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/health", exchange -> {
            seenHost.set(exchange.getRequestHeaders().getFirst("Host"));
            answer(exchange, 200, "{\"status\":\"UP\",\"checks\":[{\"name\":\"db\"}]}");
        });
        server.createContext("/secret", exchange -> answer(exchange, 200, "{\"token\":\"" + SECRET + "\",\"nested\":{\"key\":\"" + SECRET + "\"}}"));
        server.createContext("/broken", exchange -> answer(exchange, 503, "down " + SECRET));
        server.createContext("/slow", exchange -> {
            sleep(700);
            answer(exchange, 200, "late");
        });
        server.createContext("/echo", exchange -> {
            seenHeader.set(exchange.getRequestHeaders().getFirst("X-Chaos"));
            seenBody.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            answer(exchange, 201, "created");
        });
        server.createContext("/huge", exchange -> {
            exchange.sendResponseHeaders(200, 10L * MIB);
            write(exchange, 10L * MIB);
        });
        server.createContext("/endless", exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked, for as long as the client reads
            write(exchange, Long.MAX_VALUE);
        });
        server.createContext("/loop", exchange -> redirect(exchange, "/loop"));
        server.createContext("/redirect", exchange -> redirect(exchange, exchange.getRequestURI().getRawQuery().substring("to=".length())));
        server.start();
        elsewhere = HttpServer.create(new InetSocketAddress(0), 0);
        elsewhere.createContext("/", exchange -> {
            elsewhereCalls.incrementAndGet();
            answer(exchange, 200, SECRET);
        });
        elsewhere.start();
        vertx = Vertx.vertx();
        probe = new HttpProbe(vertx, new ProbeEgress(() -> Optional.of(List.of("127.0.0.1", "pinned.test")), new PinnedTestName()));
        // a fresh Vert.x loads its HTTP client on the first request, which can take longer than a test's timeout on a busy machine
        probe.check(get("/health"));
    }

    @AfterAll
    static void stop() {
        probe.close();
        vertx.close();
        server.stop(0);
        elsewhere.stop(0);
    }

    /** Answers {@code pinned.test} with 127.0.0.1, a name no real DNS knows; everything else as the JVM does. */
    private static final class PinnedTestName extends HostResolver {
        @Override
        public List<InetAddress> resolve(String host) throws UnknownHostException {
            return host.equals("pinned.test") ? List.of(InetAddress.getByName("127.0.0.1")) : super.resolve(host);
        }
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        } catch (IOException clientGone) {
            // the probe timed out first
        }
    }

    private static void redirect(HttpExchange exchange, String location) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    /** Writes {@code total} bytes of the secret over and over, until done or the client hangs up. */
    private static void write(HttpExchange exchange, long total) {
        byte[] chunk = (SECRET + " ").repeat(8192 / (SECRET.length() + 1)).getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = exchange.getResponseBody()) {
            for (long sent = 0; sent < total; sent += chunk.length) {
                int length = (int) Math.min(chunk.length, total - sent);
                out.write(chunk, 0, length);
            }
        } catch (IOException clientGone) {
            // the probe stopped reading
        }
    }

    private static URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static HttpProbe.Request get(String path) {
        return get(url(path));
    }

    private static HttpProbe.Request get(URI url) {
        return new HttpProbe.Request(url, "GET", Map.of(), List.of(), null, 200, 299, Duration.ofSeconds(2), null, null, null, null);
    }

    @Test
    void aHealthyEndpointPassesWithItsLatency() {
        Check check = probe.check(get("/health"));
        assertThat(check.passed()).as(check.reason()).isTrue();
        assertThat(check.value()).isPositive().isLessThan(1000.0);
    }

    @Test
    void anUnexpectedStatusFailsWithoutTheBody() {
        Check check = probe.check(get("/broken"));
        assertThat(check.passed()).isFalse();
        assertThat(check.reason()).contains("answered 503, expected 200-299").doesNotContain(SECRET);
    }

    @Test
    void aLatencyBudgetAndATimeoutAreEnforced() {
        HttpProbe.Request slow = get("/slow");
        Check overBudget = probe.check(new HttpProbe.Request(slow.url(), "GET", Map.of(), List.of(), null, 200, 200, Duration.ofSeconds(2),
                Duration.ofMillis(300), null, null, null));
        assertThat(overBudget.passed()).isFalse();
        assertThat(overBudget.reason()).contains("over the budget of 300 ms");
        Check timedOut = probe.check(new HttpProbe.Request(slow.url(), "GET", Map.of(), List.of(), null, 200, 200, Duration.ofMillis(200),
                null, null, null, null));
        assertThat(timedOut.passed()).isFalse();
        assertThat(timedOut.reason()).contains("did not answer within 200 ms");
    }

    @Test
    void bodyRegexAndJsonPathAreChecked() {
        HttpProbe.Request health = get("/health");
        assertThat(probe.check(withBody(health, Pattern.compile("\"UP\""), null, null)).passed()).isTrue();
        assertThat(probe.check(withBody(health, Pattern.compile("DOWN"), null, null)).reason()).endsWith("does not match bodyRegex");
        assertThat(probe.check(withBody(health, null, "$.status", "UP")).passed()).isTrue();
        assertThat(probe.check(withBody(health, null, "$.checks[0].name", "db")).passed()).isTrue();
        assertThat(probe.check(withBody(health, null, "$.status", "DOWN")).reason()).isEqualTo("value at $.status does not equal the expected value");
        assertThat(probe.check(withBody(health, null, "$.missing", "x")).reason()).contains("nothing at $.missing");
    }

    @Test
    void whatTheAnswerSaysNeverReachesTheReason() {
        HttpProbe.Request secret = get("/secret");
        List<Check> failed = List.of(probe.check(withBody(secret, null, "$.token", "a guess")),
                probe.check(withBody(secret, null, "$.nested", "a guess")),
                probe.check(withBody(secret, Pattern.compile("AKIA-probe-secret-0"), null, null)),
                probe.check(withBody(get("/endless"), Pattern.compile("nothing"), null, null)));
        assertThat(failed).allSatisfy(check -> {
            assertThat(check.passed()).isFalse();
            assertThat(check.reason()).doesNotContain(SECRET).doesNotContain("AKIA");
        });
        assertThat(failed.get(0).reason()).isEqualTo("value at $.token does not equal the expected value");
        assertThat(failed.get(2).reason()).isEqualTo("the body of GET " + secret.url() + " does not match bodyRegex");
    }

    @Test
    void anAnswerOfTenMebibytesFailsTheCheck() {
        Check check = probe.check(get("/huge"));
        assertThat(check.passed()).isFalse();
        assertThat(check.reason()).isEqualTo("the answer of GET " + url("/huge") + " was larger than 64 KiB, the most a probe reads");
    }

    @Test
    void anEndlessAnswerIsCutOffAtTheLimitRatherThanRead() {
        long started = System.nanoTime();
        Check check = probe.check(get("/endless"));
        assertThat(check.reason()).as("read to the end, the probe would have timed out (or run out of memory)")
                .isEqualTo("the answer of GET " + url("/endless") + " was larger than 64 KiB, the most a probe reads");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void methodHeadersAndBodyAreSent() {
        Check check = probe.check(new HttpProbe.Request(url("/echo"), "POST", Map.of("X-Chaos", "on"), List.of(), "{\"a\":1}", 201, 201,
                Duration.ofSeconds(2), null, null, null, null));
        assertThat(check.passed()).as(check.reason()).isTrue();
        assertThat(seenHeader.get()).isEqualTo("on");
        assertThat(seenBody.get()).isEqualTo("{\"a\":1}");
    }

    @Test
    void headersTheClientOwnsCannotBeSet() {
        Check check = probe.check(new HttpProbe.Request(url("/health"), "GET", Map.of("Host", "metadata.google.internal"), List.of(), null,
                200, 299, Duration.ofSeconds(2), null, null, null, null));
        assertThat(check.passed()).isFalse();
        assertThat(check.reason()).isEqualTo("header Host is set by the HTTP client; a probe may not set it");
    }

    @Test
    void nothingListeningFails() throws IOException {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Check check = probe.check(get(URI.create("http://127.0.0.1:" + port + "/")));
        assertThat(check.passed()).isFalse();
        assertThat(check.reason()).contains("connection refused");
    }

    @Test
    void redirectsAreFollowedToAllowedHosts() {
        Check check = probe.check(get("/redirect?to=/health"));
        assertThat(check.passed()).as(check.reason()).isTrue();
        Check looping = probe.check(get("/loop"));
        assertThat(looping.passed()).as(looping.reason()).isFalse();
        assertThat(looping.reason()).contains("was redirected more than 5 times");
    }

    @Test
    void aRedirectToARefusedAddressIsRefusedBeforeAnythingIsSent() {
        int port = elsewhere.getAddress().getPort();
        Map<String, String> refusals = new java.util.LinkedHashMap<>(Map.of(
                "http://127.0.0.2:" + port + "/", "host 127.0.0.2 is not allowed: it is a loopback address",
                "http://169.254.169.254/latest/meta-data/iam/", "host 169.254.169.254 is not allowed: it is a cloud metadata service's address",
                "http://localhost:" + port + "/", "host localhost is not allowed: it is a loopback name"));
        ownAddress().ifPresent(own -> refusals.put("http://" + own.getHostAddress() + ":" + port + "/",
                "host " + own.getHostAddress() + " is not allowed: it is an address of Faultline's own host"));
        refusals.forEach((target, refusal) -> {
            Check check = probe.check(get("/redirect?to=" + target));
            assertThat(check.passed()).isFalse();
            assertThat(check.reason()).startsWith("GET " + url("/redirect?to=" + target) + " was redirected: " + refusal)
                    .doesNotContain(SECRET);
        });
        assertThat(elsewhereCalls).as("the refused server never got a request").hasValue(0);
    }

    @Test
    void aRefusedUrlIsNeverCalled() {
        int port = elsewhere.getAddress().getPort();
        Check check = probe.check(get(URI.create("http://127.0.0.2:" + port + "/")));
        assertThat(check.passed()).isFalse();
        assertThat(check.reason()).isEqualTo("host 127.0.0.2 is not allowed: it is a loopback address; an operator may allow it by adding \"127.0.0.2:"
                + port + "\" to faultline.probes.allowed-hosts");
        assertThat(elsewhereCalls).hasValue(0);
    }

    @Test
    void theConnectionGoesToTheAddressJudgedWhileTheHostHeaderKeepsTheName() {
        int port = server.getAddress().getPort();
        Check check = probe.check(get(URI.create("http://pinned.test:" + port + "/health")));
        assertThat(check.passed()).as("pinned.test resolves only through the policy's resolver: " + check.reason()).isTrue();
        assertThat(seenHost.get()).isEqualTo("pinned.test:" + port);
    }

    /** A non-loopback address of this machine, when it has one. */
    private static Optional<InetAddress> ownAddress() {
        try {
            return NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                    .filter(address -> address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress())
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static HttpProbe.Request withBody(HttpProbe.Request request, Pattern regex, String path, String equals) {
        return new HttpProbe.Request(request.url(), request.method(), request.headers(), List.of(), null, 200, 299, request.timeout(), null,
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

package dev.faultline.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A loopback HTTP receiver standing in for Slack or a webhook endpoint: it records every request
 * (path, headers, exact body, when) and answers each path from a script — a status with headers,
 * or hanging until released — then 200 once the script is used up.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as it arrived. */
    public record Received(String path, Headers headers, String body, Instant at) {

        public String header(String name) {
            return headers.getFirst(name);
        }
    }

    /** How to answer one request: a status and headers, or hold the connection until {@link #close()}. */
    public record Answer(int status, Map<String, String> headers, boolean hangs) {

        public static Answer status(int status) {
            return new Answer(status, Map.of(), false);
        }

        public static Answer status(int status, String header, String value) {
            return new Answer(status, Map.of(header, value), false);
        }

        public static Answer hang() {
            return new Answer(0, Map.of(), true);
        }
    }

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final Map<String, Deque<Answer>> scripts = new ConcurrentHashMap<>();
    private final Map<String, Answer> always = new ConcurrentHashMap<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger hanging = new AtomicInteger();

    public WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** The receiver's URL for {@code path}. */
    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** Answers the next requests to {@code path} in this order. */
    public WebhookReceiver script(String path, Answer... answers) {
        scripts.computeIfAbsent(path, p -> new ArrayDeque<>()).addAll(List.of(answers));
        return this;
    }

    /** Answers every request to {@code path} so. */
    public WebhookReceiver always(String path, Answer answer) {
        always.put(path, answer);
        return this;
    }

    public synchronized List<Received> received(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** How many requests are being held open right now. */
    public int hanging() {
        return hanging.get();
    }

    /** Waits until {@code path} has received {@code count} requests; those received. */
    public List<Received> await(String path, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<Received> got = received(path);
            if (got.size() >= count) {
                return got;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError(path + " received " + received(path).size() + " requests within " + timeout + ", expected " + count);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = exchange.getRequestURI().getPath();
        synchronized (this) {
            received.add(new Received(path, exchange.getRequestHeaders(), body, Instant.now()));
        }
        Deque<Answer> script = scripts.get(path);
        Answer answer = script == null ? null : script.poll();
        if (answer == null) {
            answer = always.getOrDefault(path, Answer.status(200));
        }
        if (answer.hangs()) {
            hanging.incrementAndGet();
            try {
                released.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                hanging.decrementAndGet();
            }
            exchange.close();
            return;
        }
        answer.headers().forEach(exchange.getResponseHeaders()::add);
        byte[] reply = (answer.status() < 300 ? "ok" : "no").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), reply.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(reply);
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
    }
}

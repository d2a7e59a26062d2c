package dev.faultline.metrics;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

/**
 * Sends one HTTP request to an address chosen beforehand. The connection goes to exactly the address the
 * egress policy judged, never to what a second lookup of the name might answer (DNS rebinding), while the
 * Host header, the TLS server name and the certificate check keep the URL's host. It reads at most
 * {@code limit} bytes of the body, then drops the connection, and follows no redirect: the caller decides.
 */
final class PinnedHttp implements AutoCloseable {

    /** The longest a connection may take to open, within the probe's own timeout. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient client;
    private final int limit;

    /** What came back: status, the headers a probe uses, and the body, or {@code larger} when it went past the limit. */
    record Answer(int status, String location, String contentType, byte[] body, boolean larger) {
    }

    PinnedHttp(Vertx vertx, int limit) {
        // many runs may probe one endpoint at once; the default of 5 connections would queue them into timeouts
        this.client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(64).setDecompressionSupported(false)
                .setConnectTimeout((int) CONNECT_TIMEOUT.toMillis()));
        this.limit = limit;
    }

    /** Sends {@code method url} to {@code address}; fails with {@link TimeoutException} when it is not all read within {@code timeout}. */
    Answer send(InetAddress address, URI url, String method, Map<String, String> headers, String body, Duration timeout)
            throws Exception {
        int port = ProbeEgress.port(url);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.valueOf(method))
                .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(address, port)))
                .setHost(url.getHost()).setPort(port).setSsl("https".equalsIgnoreCase(url.getScheme()))
                .setURI(pathAndQuery(url)).setFollowRedirects(false)
                .setConnectTimeout(Math.max(1, Math.min(timeout.toMillis(), CONNECT_TIMEOUT.toMillis())));
        headers.forEach(options::putHeader);
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        client.request(options).onComplete(opened -> {
            if (opened.failed()) {
                // Vert.x says TimeoutException when no connection was had within the connect timeout
                answer.completeExceptionally(opened.cause() instanceof TimeoutException
                        ? new ConnectTimeoutException("no connection within the connect timeout") : opened.cause());
                return;
            }
            HttpClientRequest request = opened.result();
            sent.set(request);
            if (answer.isDone()) {
                request.reset(); // timed out while the connection was opening
                return;
            }
            request.exceptionHandler(answer::completeExceptionally);
            request.response().onSuccess(response -> read(response, answer)).onFailure(answer::completeExceptionally);
            request.end(body == null ? Buffer.buffer() : Buffer.buffer(body.getBytes(StandardCharsets.UTF_8)));
        });
        try {
            return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | InterruptedException e) {
            answer.completeExceptionally(e); // and the request, when there is one, is dropped
            HttpClientRequest request = sent.get();
            if (request != null) {
                request.reset();
            }
            throw e;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Keeps the body up to the limit; past it, answers {@code larger} at once and drops the connection. */
    private void read(HttpClientResponse response, CompletableFuture<Answer> answer) {
        Buffer body = Buffer.buffer();
        String location = response.getHeader("Location");
        String contentType = response.getHeader("Content-Type");
        response.exceptionHandler(answer::completeExceptionally);
        response.handler(chunk -> {
            if (answer.isDone()) {
                return;
            }
            if (body.length() + chunk.length() <= limit) {
                body.appendBuffer(chunk);
            } else if (answer.complete(new Answer(response.statusCode(), location, contentType, null, true))) {
                response.request().reset();
            }
        });
        response.endHandler(end -> answer.complete(new Answer(response.statusCode(), location, contentType, body.getBytes(), false)));
    }

    private static String pathAndQuery(URI url) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    }

    @Override
    public void close() {
        client.close();
    }
}

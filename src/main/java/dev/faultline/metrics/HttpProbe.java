package dev.faultline.metrics;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Calls an HTTP endpoint and judges the answer: status within the expected range, latency within
 * budget, and optionally a body matching a regular expression or a JSON value at a path. The
 * check's value is the latency in milliseconds.
 */
@ApplicationScoped
public class HttpProbe {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param statusLow lowest expected status, inclusive
     * @param statusHigh highest expected status, inclusive
     * @param maxLatency the latency budget, or null for none
     * @param bodyRegex found anywhere in the body, or null
     * @param jsonPath a path like {@code $.status} or {@code $.items[0].name}, or null
     * @param jsonEquals the text expected at {@code jsonPath}
     */
    public record Request(URI url, String method, Map<String, String> headers, String body, int statusLow, int statusHigh,
            Duration timeout, Duration maxLatency, Pattern bodyRegex, String jsonPath, String jsonEquals) {
    }

    public Check check(Request probe) {
        HttpRequest.Builder request = HttpRequest.newBuilder(probe.url()).timeout(probe.timeout())
                .method(probe.method(), probe.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(probe.body()));
        probe.headers().forEach(request::header);
        long started = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException e) {
            return Check.failed(null, "could not connect to " + probe.url() + " in time");
        } catch (HttpTimeoutException e) {
            return Check.failed(null, probe.url() + " did not answer within " + probe.timeout().toMillis() + " ms");
        } catch (ConnectException e) {
            return Check.failed(null, "could not connect to " + probe.url() + " (connection refused)");
        } catch (IOException e) {
            return Check.failed(null, "calling " + probe.url() + " failed: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Check.failed(null, "interrupted while calling " + probe.url());
        }
        double latency = Duration.ofNanos(System.nanoTime() - started).toNanos() / 1e6;
        int status = response.statusCode();
        if (status < probe.statusLow() || status > probe.statusHigh()) {
            return Check.failed(latency, probe.method() + " " + probe.url() + " answered " + status + ", expected "
                    + (probe.statusLow() == probe.statusHigh() ? probe.statusLow() : probe.statusLow() + "-" + probe.statusHigh()));
        }
        if (probe.maxLatency() != null && latency > probe.maxLatency().toMillis()) {
            return Check.failed(latency, probe.url() + " took " + Math.round(latency) + " ms, over the budget of "
                    + probe.maxLatency().toMillis() + " ms");
        }
        if (probe.bodyRegex() != null && !probe.bodyRegex().matcher(response.body()).find()) {
            return Check.failed(latency, "the body of " + probe.url() + " does not match /" + probe.bodyRegex().pattern() + "/");
        }
        if (probe.jsonPath() != null) {
            String problem = jsonProblem(response.body(), probe.jsonPath(), probe.jsonEquals());
            if (problem != null) {
                return Check.failed(latency, problem);
            }
        }
        return Check.passed(latency);
    }

    private static String jsonProblem(String body, String path, String expected) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            return "the body is not JSON, so " + path + " cannot be read";
        }
        JsonNode value = root.at(pointer(path));
        if (value.isMissingNode()) {
            return "the body has nothing at " + path;
        }
        String actual = value.isValueNode() ? value.asText() : value.toString();
        return expected == null || expected.equals(actual) ? null
                : path + " is \"" + actual + "\", expected \"" + expected + "\"";
    }

    /** {@code $.items[0].name} as the JSON pointer {@code /items/0/name}. */
    static String pointer(String path) {
        String rest = path.startsWith("$") ? path.substring(1) : path;
        StringBuilder pointer = new StringBuilder();
        for (String part : rest.replaceAll("\\[(\\d+)]", ".$1").split("\\.")) {
            if (!part.isEmpty()) {
                pointer.append('/').append(part.replace("~", "~0").replace("/", "~1"));
            }
        }
        return pointer.toString();
    }
}

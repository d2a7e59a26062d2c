package dev.faultline.metrics;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Vertx;

/**
 * Calls an HTTP endpoint and judges the answer: status within the expected range, latency within
 * budget, and optionally a body matching a regular expression or a JSON value at a path. The
 * check's value is the latency in milliseconds.
 *
 * <p>Every request, and every redirect it is sent on, goes only where {@link ProbeEgress} allows, to
 * the very address it judged. At most {@value #MAX_BODY} bytes of an answer are read. A reason names
 * what was asked and how the answer fell short, never what the answer said (of a refused redirect, only
 * the host it pointed to, so that an operator knows what to list): reasons are stored, shown to every
 * viewer and sent to Slack, and the endpoint's answer may hold anything.
 */
@ApplicationScoped
public class HttpProbe {

    /** The most of an answer a probe reads: enough for any health document, too little to exhaust memory. */
    static final int MAX_BODY = 64 * 1024;
    private static final int MAX_REDIRECTS = 5;
    /** Headers the HTTP client owns: a probe setting them could change where the request goes or how it is framed. */
    private static final Set<String> CLIENT_HEADERS = Set.of("host", "content-length", "transfer-encoding", "connection",
            "keep-alive", "upgrade", "expect", "te", "trailer", "proxy-connection");
    private static final Set<String> CROSS_HOST_DROPPED = Set.of("authorization", "proxy-authorization", "cookie");
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    private static final Pattern CHARSET = Pattern.compile("(?i)charset=\"?([^\";\\s]+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProbeEgress egress;
    private final PinnedHttp http;

    HttpProbe(Vertx vertx, ProbeEgress egress) {
        this.egress = egress;
        this.http = new PinnedHttp(vertx, MAX_BODY);
    }

    /**
     * @param statusLow lowest expected status, inclusive
     * @param statusHigh highest expected status, inclusive
     * @param maxLatency the latency budget, or null for none
     * @param bodyRegex found anywhere in the body, or null
     * @param jsonPath a path like {@code $.status} or {@code $.items[0].name}, or null
     * @param jsonEquals the text expected at {@code jsonPath}
     */
    public record Request(URI url, String method, Map<String, String> headers, List<SecretHeader> secretHeaders, String body,
            int statusLow, int statusHigh, Duration timeout, Duration maxLatency, Pattern bodyRegex, String jsonPath,
            String jsonEquals) {

        public Request {
            secretHeaders = secretHeaders == null ? List.of() : List.copyOf(secretHeaders);
        }

        @Override
        public String toString() {
            return "Request[" + method + " " + url + "]"; // headers may hold credentials
        }
    }

    /** One request of a probe: the first, or one a redirect asked for. */
    private record Hop(URI url, String method, String body, int number) {

        /** How a reason names the request: the probe's own URL, and how far redirects took it. */
        String describe(Request probe) {
            return named(probe) + (number == 0 ? "" : " (after " + number + " redirects)");
        }
    }

    public Check check(Request probe) {
        Optional<String> owned = Stream.concat(probe.headers().keySet().stream(), probe.secretHeaders().stream().map(SecretHeader::name))
                .filter(name -> CLIENT_HEADERS.contains(name.toLowerCase(Locale.ROOT))).findFirst();
        if (owned.isPresent()) {
            return Check.failed(null, "header " + owned.get() + " is set by the HTTP client; a probe may not set it");
        }
        long started = System.nanoTime();
        Hop hop = new Hop(probe.url(), probe.method(), probe.body(), 0);
        while (true) {
            ProbeEgress.Destination destination;
            try {
                destination = egress.resolve(hop.url());
            } catch (UnknownHostException e) {
                return Check.failed(null, "could not resolve the host of " + hop.describe(probe));
            }
            if (destination.refused()) {
                return Check.failed(null, (hop.number() == 0 ? "" : named(probe) + " was redirected: ") + destination.refusal());
            }
            Duration left = probe.timeout().minusNanos(System.nanoTime() - started);
            PinnedHttp.Answer answer;
            try {
                answer = http.send(destination.address(), hop.url(), hop.method(), headers(probe, hop), hop.body(),
                        left.isNegative() ? Duration.ZERO : left);
            } catch (Exception e) {
                return Check.failed(null, failure(probe, hop, e));
            }
            Optional<Hop> next = redirect(hop, answer);
            if (next.isEmpty()) {
                return judge(probe, hop, answer, Duration.ofNanos(System.nanoTime() - started).toNanos() / 1e6);
            }
            if (next.get().number() > MAX_REDIRECTS) {
                return Check.failed(null, named(probe) + " was redirected more than " + MAX_REDIRECTS + " times");
            }
            hop = next.get();
        }
    }

    /**
     * The headers of one request: a secret's only to a host it lists; on a redirect to another host or port, as curl
     * does, no {@code Authorization} or {@code Cookie} written in the document either.
     */
    private static Map<String, String> headers(Request probe, Hop hop) {
        boolean sameOrigin = HostEntry.host(hop.url()).equals(HostEntry.host(probe.url()))
                && ProbeEgress.port(hop.url()) == ProbeEgress.port(probe.url());
        Map<String, String> headers = new LinkedHashMap<>();
        probe.headers().forEach((name, value) -> {
            if (sameOrigin || !CROSS_HOST_DROPPED.contains(name.toLowerCase(Locale.ROOT))) {
                headers.put(name, value);
            }
        });
        probe.secretHeaders().stream().filter(secret -> secret.mayGoTo(hop.url()))
                .forEach(secret -> headers.put(secret.name(), secret.value()));
        return headers;
    }

    /** The probe's request as its document writes it (a redirect's target came from the answer: only its host is ever named). */
    private static String named(Request probe) {
        return probe.method() + " " + probe.url();
    }

    private static String failure(Request probe, Hop hop, Exception e) {
        if (e instanceof TimeoutException) {
            return hop.describe(probe) + " did not answer within " + probe.timeout().toMillis() + " ms";
        }
        if (e instanceof ConnectTimeoutException) {
            return "could not connect to " + hop.describe(probe) + " in time";
        }
        if (e instanceof ConnectException) {
            return "could not connect to " + hop.describe(probe) + " (connection refused)";
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return "interrupted while calling " + hop.describe(probe);
        }
        return "calling " + hop.describe(probe) + " failed: " + e.getClass().getSimpleName();
    }

    /**
     * Where a redirect sends the request next, as browsers and the JDK's client follow them: 303 (and 301 or
     * 302 after a POST) as a GET without body, 307 and 308 as they were; never from https to http.
     */
    private static Optional<Hop> redirect(Hop hop, PinnedHttp.Answer answer) {
        if (!REDIRECTS.contains(answer.status()) || answer.location() == null) {
            return Optional.empty();
        }
        URI next;
        try {
            next = hop.url().resolve(answer.location());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        boolean downgrade = "https".equalsIgnoreCase(hop.url().getScheme()) && scheme.equals("http");
        if (!(scheme.equals("http") || scheme.equals("https")) || downgrade) {
            return Optional.empty();
        }
        boolean asGet = answer.status() == 303 || answer.status() <= 302 && hop.method().equals("POST");
        return Optional.of(asGet ? new Hop(next, "GET", null, hop.number() + 1) : new Hop(next, hop.method(), hop.body(), hop.number() + 1));
    }

    private static Check judge(Request probe, Hop hop, PinnedHttp.Answer answer, double latency) {
        int status = answer.status();
        if (status < probe.statusLow() || status > probe.statusHigh()) {
            return Check.failed(latency, hop.describe(probe) + " answered " + status + ", expected "
                    + (probe.statusLow() == probe.statusHigh() ? probe.statusLow() : probe.statusLow() + "-" + probe.statusHigh()));
        }
        if (answer.larger()) {
            return Check.failed(latency, "the answer of " + hop.describe(probe) + " was larger than " + MAX_BODY / 1024
                    + " KiB, the most a probe reads");
        }
        if (probe.maxLatency() != null && latency > probe.maxLatency().toMillis()) {
            return Check.failed(latency, hop.describe(probe) + " took " + Math.round(latency) + " ms, over the budget of "
                    + probe.maxLatency().toMillis() + " ms");
        }
        String body = new String(answer.body(), charset(answer.contentType()));
        if (probe.bodyRegex() != null && !probe.bodyRegex().matcher(body).find()) {
            return Check.failed(latency, "the body of " + hop.describe(probe) + " does not match bodyRegex");
        }
        if (probe.jsonPath() != null) {
            String problem = jsonProblem(body, probe.jsonPath(), probe.jsonEquals());
            if (problem != null) {
                return Check.failed(latency, problem);
            }
        }
        return Check.passed(latency);
    }

    /** What is wrong with the JSON value at {@code path}, in words that never repeat the body. */
    private static String jsonProblem(String body, String path, String expected) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            return "the body is not JSON, so " + path + " cannot be read";
        }
        JsonNode value = root == null ? null : root.at(pointer(path));
        if (value == null || value.isMissingNode()) {
            return "the body has nothing at " + path;
        }
        String actual = value.isValueNode() ? value.asText() : value.toString();
        return expected == null || expected.equals(actual) ? null : "value at " + path + " does not equal the expected value";
    }

    private static Charset charset(String contentType) {
        Matcher declared = contentType == null ? null : CHARSET.matcher(contentType);
        if (declared != null && declared.find()) {
            try {
                return Charset.forName(declared.group(1));
            } catch (IllegalArgumentException e) {
                // an unknown charset: read it as UTF-8, as JSON is
            }
        }
        return StandardCharsets.UTF_8;
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

    @PreDestroy
    void close() {
        http.close();
    }
}

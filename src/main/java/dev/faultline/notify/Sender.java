package dev.faultline.notify;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

/**
 * Posts a notification to a channel, retrying on 429 (after the receiver's Retry-After), on 5xx
 * and when the receiver does not answer, with doubling backoff; every attempt is recorded. It runs
 * on the caller's thread, which is never a run's: the notifier hands each delivery its own virtual
 * thread. Logs name the channel, never its URL.
 */
@ApplicationScoped
class Sender {

    private static final Logger LOG = Logger.getLogger(Sender.class);
    static final String SIGNATURE = "X-Faultline-Signature";

    private final NotifyConfig config;
    private final DeliveryLog log;
    private final Clock clock;
    private final HttpClient http;

    Sender(NotifyConfig config, DeliveryLog log, Clock clock) {
        this.config = config;
        this.log = log;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Delivers {@code body}; the last attempt's outcome. */
    Delivery deliver(Channel channel, String runId, String event, String body, int attempts) {
        Duration backoff = config.backoff();
        String id = UUID.randomUUID().toString();
        Delivery last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            Integer status = null;
            String detail;
            Duration wait = backoff;
            boolean retry;
            try {
                HttpResponse<String> response = http.send(request(channel, event, id, body), HttpResponse.BodyHandlers.ofString());
                status = response.statusCode();
                retry = status == 429 || status >= 500;
                detail = status < 300 ? null : "the receiver answered " + status + abbreviate(response.body());
                if (status == 429) {
                    wait = retryAfter(response).orElse(backoff);
                }
            } catch (IOException e) {
                retry = true;
                detail = "the receiver did not answer: " + e.getClass().getSimpleName();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return record(runId, new Delivery(channel.name(), event, attempt, clock.instant(), null, Delivery.Outcome.FAILED, "interrupted"));
            }
            boolean delivered = status != null && status < 300;
            boolean again = !delivered && retry && attempt < attempts;
            last = record(runId, new Delivery(channel.name(), event, attempt, clock.instant(), status,
                    delivered ? Delivery.Outcome.DELIVERED : again ? Delivery.Outcome.RETRYING : Delivery.Outcome.FAILED,
                    again ? detail + "; trying again in " + wait.toMillis() + " ms" : detail));
            if (!again) {
                if (!delivered) {
                    LOG.warnf("Could not notify channel %s of %s (run %s): %s", channel.name(), event, runId, detail);
                }
                return last;
            }
            sleep(wait);
            backoff = min(backoff.multipliedBy(2), config.maxBackoff());
        }
        return last;
    }

    private HttpRequest request(Channel channel, String event, String id, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(channel.url()).timeout(config.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "Faultline")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (channel.kind() == Channel.Kind.WEBHOOK) {
            request.header("X-Faultline-Event", event).header("X-Faultline-Delivery", id);
            if (channel.secret() != null) {
                request.header(SIGNATURE, "sha256=" + hmac(channel.secret(), body));
            }
        }
        return request.build();
    }

    /** HMAC-SHA256 of the exact body bytes with the channel's secret, in hex. */
    static String hmac(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** Retry-After in seconds or as an HTTP date, capped at the longest backoff. */
    private java.util.Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(value -> {
            try {
                return java.util.Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
            } catch (NumberFormatException notSeconds) {
                try {
                    return java.util.Optional.of(Duration.between(clock.instant(),
                            ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()));
                } catch (java.time.format.DateTimeParseException notADate) {
                    return java.util.Optional.empty();
                }
            }
        }).map(wait -> wait.isNegative() ? Duration.ZERO : min(wait, config.maxBackoff()));
    }

    private Delivery record(String runId, Delivery delivery) {
        try {
            log.record(runId, delivery);
        } catch (RuntimeException e) {
            LOG.warnf("Could not record a delivery to channel %s: %s", delivery.channel(), e.getMessage());
        }
        return delivery;
    }

    private static String abbreviate(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String line = body.strip().replaceAll("\\s+", " ");
        return ": " + (line.length() > 200 ? line.substring(0, 200) + "…" : line);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

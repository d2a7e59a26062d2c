package dev.faultline.notify;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Channels declared in configuration, and how deliveries are retried. */
@ConfigMapping(prefix = "faultline.notify")
public interface NotifyConfig {

    /** {@code faultline.notify.slack.<channel>.webhook-url}. */
    Map<String, Slack> slack();

    /** {@code faultline.notify.webhook.<channel>.url} and optional {@code .secret} (HMAC key). */
    Map<String, Webhook> webhook();

    /** How long one delivery attempt may take. */
    @WithDefault("PT10S")
    Duration timeout();

    /** Attempts per notification, the first included. */
    @WithDefault("5")
    int attempts();

    /** Wait before the first retry (doubling after each); a receiver's Retry-After wins, up to {@link #maxBackoff()}. */
    @WithDefault("PT1S")
    Duration backoff();

    @WithDefault("PT60S")
    Duration maxBackoff();

    /**
     * How long the notification of a run's end waits for its findings (read from Prometheus and the cluster)
     * before it goes without them, saying so.
     */
    @WithDefault("PT5S")
    Duration findingsWait();

    interface Slack {
        String webhookUrl();
    }

    interface Webhook {
        String url();

        Optional<String> secret();
    }
}

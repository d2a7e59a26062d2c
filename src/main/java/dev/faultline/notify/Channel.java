package dev.faultline.notify;

import java.net.URI;

/**
 * Where notifications go: a Slack incoming webhook or a generic HTTP webhook (JSON, optionally
 * signed with HMAC-SHA256). {@code url} and {@code secret} are secrets: {@link #toString()} and
 * {@link ChannelView} never show them.
 */
record Channel(String name, Kind kind, URI url, String secret, Source source) {

    enum Kind {
        SLACK, WEBHOOK;

        String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Stored by an admin through the API, or declared in configuration (read-only). */
    enum Source {
        STORED, CONFIGURATION
    }

    @Override
    public String toString() {
        return "Channel[" + name + ", " + kind.key() + ", " + source + "]";
    }
}

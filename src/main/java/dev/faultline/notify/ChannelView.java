package dev.faultline.notify;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A channel as the API shows it: the receiving host but never the URL's path or query (a Slack
 * webhook URL is its own credential), and whether it signs, never the key.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChannelView(String name, String kind, String source, String host, boolean signed, Instant createdAt,
        String createdBy, Instant updatedAt, String updatedBy) {

    static ChannelView of(Channel channel, StoredChannel stored) {
        return new ChannelView(channel.name(), channel.kind().key(), channel.source().name().toLowerCase(java.util.Locale.ROOT),
                channel.url().getScheme() + "://" + channel.url().getHost() + (channel.url().getPort() > 0 ? ":" + channel.url().getPort() : ""),
                channel.secret() != null, stored == null ? null : stored.createdAt, stored == null ? null : stored.createdBy,
                stored == null ? null : stored.updatedAt, stored == null ? null : stored.updatedBy);
    }
}

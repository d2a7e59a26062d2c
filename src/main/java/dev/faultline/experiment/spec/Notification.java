package dev.faultline.experiment.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * One entry of {@code notify}: a channel, and the run events it hears about. Written as a bare
 * channel name it hears about aborts only; {@code {channel, on: [started, aborted, deviated, failed,
 * completed]}} chooses.
 */
public record Notification(String channel, List<String> on) {

    public static final List<String> EVENTS = List.of("started", "aborted", "deviated", "failed", "completed");
    public static final List<String> DEFAULT_EVENTS = List.of("aborted");

    public Notification {
        on = on == null || on.isEmpty() ? DEFAULT_EVENTS : List.copyOf(on);
    }

    public static Notification of(String channel) {
        return new Notification(channel, DEFAULT_EVENTS);
    }

    public boolean hears(String event) {
        return on.contains(event);
    }

    /** The bare name when the events are the default, so that a document written that way reads back the same. */
    @JsonValue
    Object json() {
        if (on.equals(DEFAULT_EVENTS)) {
            return channel;
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("channel", channel);
        json.put("on", on);
        return json;
    }
}

package dev.faultline.notify;

import java.time.Instant;

/** One attempt to deliver a notification, as shown on its run. */
public record Delivery(String channel, String event, int attempt, Instant at, Integer status, Outcome outcome, String detail) {

    public enum Outcome {
        DELIVERED, RETRYING, FAILED
    }
}

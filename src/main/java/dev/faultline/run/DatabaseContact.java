package dev.faultline.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * When this instance last reached its database (its heartbeat is the probe), and since when without a
 * gap: the dead man's switch acts on the first, and taking over others' runs waits for the second.
 */
@ApplicationScoped
class DatabaseContact {

    private final Clock clock;
    private volatile Instant lastReached;
    private volatile Instant reachedSince;
    private volatile boolean lost;

    DatabaseContact(Clock clock) {
        this.clock = clock;
        this.lastReached = clock.instant();
        this.reachedSince = lastReached;
    }

    void reached() {
        Instant now = clock.instant();
        if (lost) {
            lost = false;
            reachedSince = now;
        }
        lastReached = now;
    }

    void failed() {
        lost = true;
    }

    /** How long since the database last answered. */
    Duration unreachableFor() {
        return Duration.between(lastReached, clock.instant());
    }

    /** How long the database has answered every beat. */
    Duration reachableFor() {
        return lost ? Duration.ZERO : Duration.between(reachedSince, clock.instant());
    }
}

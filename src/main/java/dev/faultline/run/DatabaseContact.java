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
    private final Duration heartbeatInterval;
    private volatile Instant lastReached;
    private volatile Instant reachedSince;
    private volatile boolean lost;

    DatabaseContact(Clock clock, RunConfig config) {
        this.clock = clock;
        this.heartbeatInterval = config.heartbeatInterval();
        this.lastReached = clock.instant();
        this.reachedSince = lastReached;
    }

    /** A beat reached the database; one that came much later than the one before counts as a gap (a database that hung). */
    void reached() {
        Instant now = clock.instant();
        if (lost || Duration.between(lastReached, now).compareTo(heartbeatInterval.multipliedBy(2).plusSeconds(1)) > 0) {
            lost = false;
            reachedSince = now;
        }
        lastReached = now;
    }

    void failed() {
        lost = true;
    }

    /** Whether the last beat reached the database, and not so long ago that a beat hangs (as {@link #reached} counts a gap). */
    boolean reachable() {
        return !lost && unreachableFor().compareTo(heartbeatInterval.multipliedBy(2).plusSeconds(1)) <= 0;
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

package dev.faultline.run;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How runs are carried out. */
@ConfigMapping(prefix = "faultline.run")
public interface RunConfig {

    /** Pause between removing the faults and checking the steady state again. */
    @WithDefault("PT10S")
    Duration settleTime();

    /**
     * After the settle time, how long the steady state may take to hold again: the probes are checked
     * every {@link #recoveryInterval()} until they all pass (the run COMPLETED, its recovery recorded)
     * or this is up (DEVIATED, "not recovered within").
     */
    @WithDefault("PT5M")
    Duration recoveryTimeout();

    /** How often the probes are checked while waiting for the steady state to hold again. */
    @WithDefault("PT2S")
    Duration recoveryInterval();

    /** How often the reconciler looks for rules left behind. */
    @WithDefault("PT5S")
    Duration reconcileInterval();

    /** How often this instance's live runs beat, and it looks for runs whose owner stopped beating. */
    @WithDefault("PT2S")
    Duration heartbeatInterval();

    /**
     * A run whose owner has not beaten for this long is taken as lost: another instance removes its
     * rules and ends it ABORTED. With the heartbeat interval, a killed instance's runs end within
     * about the sum of the two.
     */
    @WithDefault("PT8S")
    Duration ownerTimeout();

    /**
     * How long an instance carries on without reaching its database before it removes every rule of
     * its live runs by itself (the dead man's switch); it ends those runs once the database is back.
     */
    @WithDefault("PT10S")
    Duration databaseGrace();

    /**
     * How many runs one instance carries out at once; a run started beyond it ends CANCELLED at PRECHECK,
     * so that a burst of starts cannot exhaust threads, connections and Prometheus.
     */
    @WithDefault("2000")
    int maxLive();
}

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

    /** How often live runs beat, and the reconciler looks for rules left behind. */
    @WithDefault("PT5S")
    Duration reconcileInterval();

    /** A run whose owner has not beaten for this long is taken as lost: its rules are removed and it is aborted. */
    @WithDefault("PT15S")
    Duration ownerTimeout();
}

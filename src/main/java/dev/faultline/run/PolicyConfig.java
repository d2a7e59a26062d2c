package dev.faultline.run;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where experiments may inject faults, and how much. */
@ConfigMapping(prefix = "faultline.policy")
public interface PolicyConfig {

    /** Namespaces experiments may target; none (the default) denies every run. */
    Optional<List<String>> allowedNamespaces();

    /** The largest fault percentage a run may use. */
    @WithDefault("100")
    double maxPercentage();

    /** The longest duration a run may last. */
    @WithDefault("PT1H")
    Duration maxDuration();
}

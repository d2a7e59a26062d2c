package dev.faultline.retention;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How long what runs leave behind is kept; only ended runs lose anything. */
@ConfigMapping(prefix = "faultline.retention")
public interface RetentionConfig {

    /** How often a pass runs, on every instance (passes of several instances do not get in each other's way). */
    @WithDefault("PT1H")
    Duration interval();

    /** Rows per delete statement, so that no statement holds its locks for long. */
    @WithDefault("5000")
    int batch();

    /** Guardrail and probe samples of runs that ended longer ago than this. */
    @WithDefault("P30D")
    Duration samples();

    /** Timelines of runs that ended longer ago than this. */
    @WithDefault("P90D")
    Duration timelines();

    /** Notification attempts of runs that ended longer ago than this (and channel tests older than this). */
    @WithDefault("P30D")
    Duration deliveries();

    /** Audit entries older than this; at least a day (the database refuses less). */
    @WithDefault("P400D")
    Duration audit();
}

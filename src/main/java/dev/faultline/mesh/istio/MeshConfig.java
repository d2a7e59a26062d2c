package dev.faultline.mesh.istio;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "faultline.mesh")
public interface MeshConfig {

    /** How long removing a rule keeps retrying a failing Kubernetes API before the run is marked as needing cleanup. */
    @WithDefault("PT30S")
    Duration removeTimeout();
}

package dev.faultline.mesh;

/**
 * How the mesh carries a service's traffic, as far as faults and their metrics are concerned.
 *
 * @param mode sidecar proxies beside every workload, or Istio's ambient mode (ztunnel for L4, waypoints for L7)
 * @param waypoint in ambient mode, the waypoint that handles the service's L7 traffic ({@code namespace/name} of its
 *        Gateway), or null when there is none and no HTTP fault can take effect; always null in sidecar mode
 * @param missing in ambient mode without a waypoint, what is missing and how to add it, in words; else null
 */
public record DataPlane(Mode mode, String waypoint, String missing) {

    public static final DataPlane SIDECAR = new DataPlane(Mode.SIDECAR, null, null);

    public enum Mode {
        SIDECAR, AMBIENT
    }

    public boolean ambient() {
        return mode == Mode.AMBIENT;
    }

    /** Whether a VirtualService fault for the service takes effect at all: always with sidecars, only through a waypoint in ambient mode. */
    public boolean faultsTakeEffect() {
        return mode == Mode.SIDECAR || waypoint != null;
    }
}

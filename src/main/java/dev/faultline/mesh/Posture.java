package dev.faultline.mesh;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How a namespace's services are set up to take a fault, as the mesh's own configuration says: the
 * routes that serve each service with their timeouts and retries, its circuit breaking and its mTLS
 * mode, and the gaps in words.
 *
 * @param mtls the namespace's mode: {@code STRICT}, {@code PERMISSIVE}, {@code DISABLE}, or {@code UNSET}
 *        when no PeerAuthentication sets one (Istio then accepts plain text and mTLS alike)
 * @param mtlsSource the PeerAuthentication that decides it, or why none does
 */
public record Posture(String namespace, String mtls, String mtlsSource, List<Service> services) {

    /** The posture of one service of the namespace; empty when it has none. */
    public java.util.Optional<Service> service(String name) {
        return services.stream().filter(service -> service.service().equals(name)).findFirst();
    }

    /**
     * @param dataPlane {@code sidecar} or {@code ambient}
     * @param waypoint in ambient mode the waypoint ({@code namespace/name}) that applies its routes, null when none does
     *        (its routes then do nothing) and in sidecar mode
     * @param mtls the mode its workloads accept (a workload's PeerAuthentication, else the namespace's, else the mesh's)
     * @param routes every route of a VirtualService in the namespace that sends this service traffic; empty when none
     *        does (the calls then go straight to the service: no timeout, Istio's default retries)
     * @param circuitBreaker null when no DestinationRule is written for the service
     * @param gaps what is missing, one sentence each
     */
    public record Service(String service, String dataPlane, String waypoint, String mtls, String mtlsSource, List<Route> routes, CircuitBreaker circuitBreaker,
            List<String> gaps) {
    }

    /**
     * @param route the route's name, or {@code #i} (its index among the VirtualService's http routes) when it has none
     * @param index its index among the VirtualService's http routes ({@code spec.http[index]}), where a patch addresses it
     * @param subsets the subsets it sends traffic to, empty for the whole service
     * @param timeout Istio's duration text ({@code 2s}), null when the route has none (calls wait as long as the caller does)
     * @param retries null when the route states none (Istio's default applies: 2 attempts on connection failures)
     */
    public record Route(String virtualService, String route, int index, List<String> subsets, String timeout, Retries retries) {
    }

    /** A route's retry policy as written; {@code attempts} 0 turns retries off. */
    public record Retries(int attempts, String perTryTimeout, String retryOn) {
    }

    /**
     * The traffic policy of the DestinationRule for the service ({@code outlierDetection}, {@code
     * connectionPool} as written, each null when absent), and the subsets that set their own.
     */
    public record CircuitBreaker(String destinationRule, JsonNode outlierDetection, JsonNode connectionPool,
            List<SubsetPolicy> subsets) {

        /** Whether failing endpoints are ejected: outlier detection for the whole service or for one of its subsets. */
        public boolean detectsOutliers() {
            return outlierDetection != null || subsets.stream().anyMatch(subset -> subset.outlierDetection() != null);
        }

        /** Why {@code breaker} (null: no DestinationRule) ejects no failing endpoint, in words. */
        public static String whyNone(CircuitBreaker breaker) {
            return breaker == null ? "no DestinationRule is written for it"
                    : "DestinationRule " + breaker.destinationRule() + " sets no outlierDetection";
        }
    }

    public record SubsetPolicy(String subset, JsonNode outlierDetection, JsonNode connectionPool) {
    }
}

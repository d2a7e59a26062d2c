package dev.faultline.mesh;

import java.util.List;
import java.util.Set;

/**
 * Everything Faultline asks of the Kubernetes API, per namespace it may inject into. The RBAC
 * Roles in {@code deploy/} grant exactly this and nothing more; a test keeps the two in step, so a
 * change here that forgets the manifests (or the reverse) fails the build.
 */
public final class ClusterPermissions {

    /** Verbs on one resource; {@code apiGroup} is empty for the core group. */
    public record Rule(String apiGroup, String resource, Set<String> verbs) {
    }

    public static final Set<String> READ = Set.of("get", "list", "watch");
    public static final Set<String> READ_WRITE = Set.of("get", "list", "watch", "create", "update", "patch", "delete");

    public static final Set<String> GET_LIST = Set.of("get", "list");

    /**
     * Fault rules are written into VirtualServices; targets are looked up among Services and Deployments. The
     * namespace's labels and the waypoint Gateway tell sidecar from ambient mode, and HTTPRoutes for the target's
     * host are looked for, because a rule there would fault nothing or something undefined. A Role can grant
     * {@code get} on its own Namespace object only (the API server checks a read of namespace {@code x} as a
     * request in {@code x}), which is all Faultline reads of namespaces: their labels. The resilience posture
     * reads the namespace's DestinationRules (circuit breaking) and PeerAuthentications (mTLS).
     */
    public static final List<Rule> PER_NAMESPACE = List.of(
            new Rule("networking.istio.io", "virtualservices", READ_WRITE),
            new Rule("", "services", READ),
            new Rule("apps", "deployments", READ),
            new Rule("", "namespaces", Set.of("get")),
            new Rule("gateway.networking.k8s.io", "gateways", GET_LIST),
            new Rule("gateway.networking.k8s.io", "httproutes", GET_LIST),
            new Rule("networking.istio.io", "destinationrules", GET_LIST),
            new Rule("security.istio.io", "peerauthentications", GET_LIST));

    /**
     * In Istio's root namespace ({@code faultline.mesh.root-namespace}): the mesh-wide PeerAuthentication, for
     * the posture's mTLS mode. Without it the posture says the mesh-wide mode could not be read.
     */
    public static final List<Rule> ROOT_NAMESPACE = List.of(new Rule("security.istio.io", "peerauthentications", GET_LIST));

    private ClusterPermissions() {
    }
}

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

    /** Fault rules are written into VirtualServices; targets are looked up among Services and Deployments. */
    public static final List<Rule> PER_NAMESPACE = List.of(
            new Rule("networking.istio.io", "virtualservices", READ_WRITE),
            new Rule("", "services", READ),
            new Rule("apps", "deployments", READ));

    private ClusterPermissions() {
    }
}

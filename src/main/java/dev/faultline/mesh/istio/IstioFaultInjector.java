package dev.faultline.mesh.istio;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.mesh.DataPlanes;
import dev.faultline.mesh.Drift;
import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.FaultPlan;
import dev.faultline.mesh.FaultRequest;
import dev.faultline.mesh.Fence;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.MeshException.Reason;
import dev.faultline.mesh.OwnedRule;
import dev.faultline.mesh.RuleRef;
import dev.faultline.mesh.istio.RoutePlanner.Host;
import dev.faultline.mesh.istio.RoutePlanner.Owner;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * Fault rules as routes in Istio VirtualServices, through the Kubernetes API. Resources are handled
 * as plain JSON (not typed models) so that a user's VirtualService is written back with every field
 * it had, known to this client or not. Changes use the resourceVersion that was read: a concurrent
 * change answers 409, and the change is worked out again on a fresh read. What is Faultline's is told by
 * annotations on the VirtualService (and the managed-by label on one it created), never by a name. A plan also
 * looks past the VirtualServices ({@link MeshChecks}): in ambient mode without a waypoint, or with a Gateway API
 * HTTPRoute for the host, a rule would fault nothing or something undefined, so it is refused, not written.
 */
@ApplicationScoped
public class IstioFaultInjector implements FaultInjector {

    private static final Logger LOG = Logger.getLogger(IstioFaultInjector.class);
    static final ResourceDefinitionContext VIRTUAL_SERVICES = new ResourceDefinitionContext.Builder()
            .withGroup("networking.istio.io").withVersion("v1").withKind(RoutePlanner.KIND).withPlural("virtualservices")
            .withNamespaced(true).build();
    private static final int CONFLICT_ATTEMPTS = 5;

    private final KubernetesClient client;
    private final Clock clock;
    private final MeshConfig config;
    private final MeshChecks meshChecks;
    /** Open watches, so that a rule this injector removes is not reported as drift. */
    private final Set<RuleWatcher> watches = ConcurrentHashMap.newKeySet();

    IstioFaultInjector(KubernetesClient client, Clock clock, MeshConfig config, DataPlanes dataPlanes) {
        this.client = client;
        this.clock = clock;
        this.config = config;
        this.meshChecks = new MeshChecks(client, dataPlanes);
    }

    @Override
    public FaultPlan plan(FaultRequest request) {
        Host host = RoutePlanner.Host.of(request.target());
        List<String> warnings = new ArrayList<>();
        call("read Service " + host.namespace() + "/" + host.name(), () -> {
            if (client.services().inNamespace(host.namespace()).withName(host.name()).get() == null) {
                throw new MeshException(Reason.TARGET_UNRESOLVED, "there is no Service " + host.name() + " in namespace "
                        + host.namespace() + " (spec.target.service)");
            }
            return null;
        });
        List<JsonNode> all = virtualServices(host.namespace());
        List<JsonNode> faultlines = all.stream().filter(RoutePlanner::dedicated).toList();
        List<JsonNode> users = all.stream().filter(vs -> !RoutePlanner.dedicated(vs)).toList();

        for (JsonNode own : RoutePlanner.serving(faultlines, host, new ArrayList<>())) {
            String run = RoutePlanner.annotation(own, RoutePlanner.RUN);
            if (request.runId().equals(run)) {
                return FaultPlan.inPlace(ref(request, own, true), own);
            }
            throw refusedBecauseOf(run, RoutePlanner.name(own), host);
        }
        // Ambient mode, waypoints and Gateway API routes: what would make the rule fault nothing or other requests than declared.
        MeshChecks.Findings mesh = meshChecks.of(request, host);
        warnings.addAll(mesh.warnings());
        List<JsonNode> serving = RoutePlanner.serving(users, host, warnings);
        if (serving.size() > 1) {
            throw new MeshException(Reason.TARGET_UNRESOLVED, serving.size() + " VirtualServices route " + host.fqdn() + ": "
                    + serving.stream().map(RoutePlanner::name).toList()
                    + "; Istio merges them unpredictably for sidecars, so Faultline will not pick one. Keep one per host");
        }
        if (serving.isEmpty()) {
            if (all.stream().anyMatch(vs -> request.ruleName().equals(vs.path("metadata").path("name").asText()))) {
                throw new MeshException(Reason.REFUSED, "VirtualService " + host.namespace() + "/" + request.ruleName()
                        + " already exists and is not Faultline's rule for " + host.name() + "; Faultline will not replace it");
            }
            return dedicatedPlan(request, host, warnings, mesh.refusals());
        }
        return insertionPlan(request, host, serving.get(0), warnings, mesh.refusals());
    }

    private FaultPlan dedicatedPlan(FaultRequest request, Host host, List<String> warnings, List<String> refusals) {
        List<String> wider = new ArrayList<>();
        if (request.target().subset() != null) {
            wider.add("no VirtualService routes " + host.name() + " by subset, so its requests are spread over every "
                    + "version: the fault cannot be limited to subset " + request.target().subset()
                    + " and reaches all of " + host.name() + "; running needs consent to this wider blast radius");
        }
        warnings.addAll(wider);
        warnings.add("no VirtualService serves " + host.name() + ": Faultline creates " + request.ruleName()
                + " for the run and deletes it afterwards");
        ObjectNode after = RoutePlanner.dedicated(request, host);
        return new FaultPlan(ref(request, after, true), FaultPlan.Action.CREATE, null, after, warnings, wider, refusals);
    }

    private FaultPlan insertionPlan(FaultRequest request, Host host, JsonNode vs, List<String> warnings, List<String> refusals) {
        Owner owner = RoutePlanner.owner(vs);
        // Annotations naming a route that is gone are left over, not in the way: this rule's annotations replace them.
        if (owner != null && RoutePlanner.routeIndex(vs, owner.route()) >= 0) {
            if (owner.is(request.runId(), request.ruleName())) {
                return FaultPlan.inPlace(ref(request, vs, false), vs);
            }
            throw refusedBecauseOf(owner.runId(), RoutePlanner.name(vs), host);
        }
        if (RoutePlanner.routeIndex(vs, request.ruleName()) >= 0) {
            throw new MeshException(Reason.REFUSED, "VirtualService " + RoutePlanner.name(vs) + " has a route named "
                    + request.ruleName() + " that Faultline did not write (its faultline.dev/route annotation does not name it); "
                    + "Faultline will neither shadow nor remove it. Rename that route to run here");
        }
        int index = RoutePlanner.servedRoute(vs, host, request.target());
        RoutePlanner.checkNotShadowed(vs, index, request.target().match());
        JsonNode served = vs.path("spec").path("http").get(index);
        String where = "route http[" + index + "]" + (served.has("name") ? " \"" + served.get("name").asText() + "\"" : "")
                + " of VirtualService " + RoutePlanner.name(vs);
        List<String> wider = new ArrayList<>();
        List<String> split = RoutePlanner.weightedSubsets(served);
        if (request.target().subset() != null && !split.isEmpty()) {
            wider.add(where + " splits traffic by weight across subsets " + split + "; Istio decides a fault before "
                    + "it picks the destination, so the fault reaches all of them, not only " + request.target().subset()
                    + "; running needs consent to this wider blast radius");
        }
        warnings.addAll(wider);
        if (served.has("retries") || served.has("timeout")) {
            warnings.add(where + " has " + (served.has("retries") ? "retries" : "")
                    + (served.has("retries") && served.has("timeout") ? " and " : "") + (served.has("timeout") ? "a timeout" : "")
                    + "; Istio turns retries and timeouts off on a route with a fault, so faulted requests get neither while the run lasts");
        }
        if (served.has("fault")) {
            warnings.add(where + " already injects a fault of its own; requests Faultline's route matches get Faultline's fault instead while the run lasts");
        }
        ObjectNode after = vs.deepCopy();
        ((ArrayNode) after.path("spec").path("http")).insert(index, RoutePlanner.faultRoute(served, where, request));
        RoutePlanner.annotate(after, request);
        return new FaultPlan(ref(request, vs, false), FaultPlan.Action.UPDATE, vs, after, warnings, wider, refusals);
    }

    @Override
    public RuleRef apply(FaultRequest request, Fence fence) {
        for (int attempt = 1; attempt <= CONFLICT_ATTEMPTS; attempt++) {
            FaultPlan plan = plan(request);
            if (plan.action() == FaultPlan.Action.NONE) {
                return plan.rule();
            }
            if (!plan.refusals().isEmpty()) {
                throw new MeshException(Reason.REFUSED, String.join("; ", plan.refusals()));
            }
            if (plan.needsConsent() && !request.widerBlastRadius()) {
                throw new MeshException(Reason.REFUSED, String.join("; ", plan.wider()));
            }
            GenericKubernetesResource resource = toResource(plan.after());
            fence.check();
            try {
                var operation = client.genericKubernetesResources(VIRTUAL_SERVICES).inNamespace(plan.rule().namespace()).resource(resource);
                if (plan.action() == FaultPlan.Action.CREATE) {
                    operation.create();
                } else {
                    operation.update();
                }
                LOG.infof("Applied rule %s in VirtualService %s/%s", request.ruleName(), plan.rule().namespace(), plan.rule().resource());
                return new RuleRef(request.runId(), RoutePlanner.KIND, plan.rule().namespace(), plan.rule().resource(),
                        request.ruleName(), plan.rule().dedicated(), clock.instant());
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw unavailable("write VirtualService " + plan.rule().namespace() + "/" + plan.rule().resource(), e);
                }
                LOG.debugf("Conflict writing %s (attempt %d); reading again", plan.rule().resource(), attempt);
            }
        }
        throw new MeshException(Reason.UNAVAILABLE, "VirtualService for " + request.target().service() + " kept changing under "
                + "Faultline (" + CONFLICT_ATTEMPTS + " conflicts in a row); nothing was applied");
    }

    @Override
    public void adjust(RuleRef rule, Double delayPercentage, Double abortPercentage, Fence fence) {
        retrying("change the percentages of rule " + rule.route() + " in " + rule.namespace() + "/" + rule.resource(), () -> {
            JsonNode vs = get(rule);
            int index = vs == null || !holds(vs, rule) ? -1 : RoutePlanner.routeIndex(vs, rule.route());
            if (index < 0) {
                throw new MeshException(Reason.REFUSED, "rule " + rule.route() + " is no longer in " + rule.namespace() + "/"
                        + rule.resource() + "; someone removed it");
            }
            ObjectNode after = vs.deepCopy();
            JsonNode fault = after.path("spec").path("http").get(index).path("fault");
            if (delayPercentage != null && fault.has("delay")) {
                ((ObjectNode) fault.get("delay")).putObject("percentage").put("value", delayPercentage);
            }
            if (abortPercentage != null && fault.has("abort")) {
                ((ObjectNode) fault.get("abort")).putObject("percentage").put("value", abortPercentage);
            }
            fence.check();
            update(rule.namespace(), after);
            return null;
        }, config.removeTimeout());
    }

    @Override
    public Removal remove(RuleRef rule) {
        stopWatching(rule);
        return retrying("remove rule " + rule.route() + " from " + rule.namespace() + "/" + rule.resource(), () -> removeOnce(rule),
                config.removeTimeout());
    }

    private Removal removeOnce(RuleRef rule) {
        JsonNode vs = get(rule);
        if (vs == null || !holds(vs, rule)) {
            return Removal.ALREADY_GONE;
        }
        if (rule.dedicated()) {
            delete(vs);
            LOG.infof("Removed rule %s: deleted VirtualService %s/%s", rule.route(), rule.namespace(), rule.resource());
            return Removal.REMOVED;
        }
        ObjectNode after = vs.deepCopy();
        int index = RoutePlanner.routeIndex(vs, rule.route());
        if (index >= 0) {
            ((ArrayNode) after.path("spec").path("http")).remove(index);
        }
        RoutePlanner.unannotate(after);
        update(rule.namespace(), after);
        LOG.infof("Removed rule %s from VirtualService %s/%s", rule.route(), rule.namespace(), rule.resource());
        return index >= 0 ? Removal.REMOVED : Removal.ALREADY_GONE;
    }

    /** Whether {@code vs} says it holds {@code rule}: anything else in it, even a route of the same name, is someone else's. */
    private static boolean holds(JsonNode vs, RuleRef rule) {
        if (rule.dedicated()) {
            return RoutePlanner.dedicated(vs) && rule.runId().equals(RoutePlanner.annotation(vs, RoutePlanner.RUN));
        }
        Owner owner = RoutePlanner.owner(vs);
        return owner != null && owner.is(rule.runId(), rule.route());
    }

    @Override
    public RuleWatch watch(RuleRef rule, Consumer<Drift> onDrift) {
        RuleWatcher watch = new RuleWatcher(rule, onDrift, resource(rule.namespace(), rule.resource()), this::toJson, clock, watches);
        watch.start();
        return watch;
    }

    /** Ends the watches on {@code rule} before Faultline takes it out itself, which is not drift. */
    private void stopWatching(RuleRef rule) {
        watches.stream().filter(watch -> watch.watches(rule)).forEach(RuleWatcher::stop);
    }

    @Override
    public List<String> services(String namespace) {
        return call("list Services in " + namespace, () -> client.services().inNamespace(namespace).list().getItems().stream()
                .map(service -> service.getMetadata().getName()).sorted().toList());
    }

    @Override
    public List<OwnedRule> owned(String namespace) {
        return virtualServices(namespace).stream().flatMap(vs -> ownedIn(vs, namespace).stream()).toList();
    }

    /** The one rule {@code vs} holds by its annotations, even when its route is gone, so the annotations get cleaned up too. */
    private static Optional<OwnedRule> ownedIn(JsonNode vs, String namespace) {
        String name = vs.path("metadata").path("name").asText();
        RuleRef rule;
        if (RoutePlanner.dedicated(vs)) {
            String runId = RoutePlanner.annotation(vs, RoutePlanner.RUN);
            String route = RoutePlanner.annotation(vs, RoutePlanner.ROUTE);
            rule = new RuleRef(runId, RoutePlanner.KIND, namespace, name, route != null ? route : RuleRef.PREFIX + runId, true, null);
        } else {
            Owner owner = RoutePlanner.owner(vs);
            if (owner == null) {
                return Optional.empty();
            }
            rule = new RuleRef(owner.runId(), RoutePlanner.KIND, namespace, name, owner.route(), false, null);
        }
        return Optional.of(new OwnedRule(rule, RoutePlanner.expiresAt(vs), RoutePlanner.epoch(vs)));
    }

    @Override
    public BulkRemoval removeAll(String namespace) {
        List<Removed> removed = new CopyOnWriteArrayList<>();
        List<String> problems = new CopyOnWriteArrayList<>();
        try (ExecutorService writes = Executors.newVirtualThreadPerTaskExecutor()) {
            for (JsonNode vs : virtualServices(namespace)) {
                ownedIn(vs, namespace).ifPresent(rule -> {
                    stopWatching(rule.rule());
                    writes.execute(() -> removeAllFrom(vs, rule, removed, problems));
                });
            }
        }
        return new BulkRemoval(List.copyOf(removed), List.copyOf(problems));
    }

    /** One write with the resourceVersion listed; on a conflict or a failure, a removal on fresh reads (with retries). */
    private void removeAllFrom(JsonNode vs, OwnedRule owned, List<Removed> removed, List<String> problems) {
        String namespace = vs.path("metadata").path("namespace").asText();
        String name = vs.path("metadata").path("name").asText();
        try {
            if (owned.rule().dedicated()) {
                delete(vs);
            } else {
                ObjectNode after = vs.deepCopy();
                int index = RoutePlanner.routeIndex(vs, owned.rule().route());
                if (index >= 0) {
                    ((ArrayNode) after.path("spec").path("http")).remove(index);
                }
                RoutePlanner.unannotate(after);
                update(namespace, after);
            }
            removed.add(new Removed(owned.rule(), clock.instant()));
            LOG.infof("Removed Faultline rule %s from VirtualService %s/%s", owned.rule().route(), namespace, name);
        } catch (KubernetesClientException e) {
            try {
                remove(owned.rule());
                removed.add(new Removed(owned.rule(), clock.instant()));
            } catch (MeshException failed) {
                problems.add(failed.getMessage());
            }
        }
    }

    /** Retries conflicts at once and other failures with backoff, until {@code within} has passed; then fails. */
    private <T> T retrying(String what, Supplier<T> action, Duration within) {
        Instant deadline = clock.instant().plus(within);
        Duration backoff = Duration.ofMillis(100);
        while (true) {
            try {
                return action.get();
            } catch (KubernetesClientException e) {
                boolean conflict = e.getCode() == 409;
                if (clock.instant().plus(conflict ? Duration.ZERO : backoff).isAfter(deadline)) {
                    throw unavailable(what, e);
                }
                if (conflict) {
                    continue;
                }
                LOG.warnf("Could not %s (%s); trying again in %d ms", what, describe(e), backoff.toMillis());
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2) : backoff.multipliedBy(2);
            }
        }
    }

    /** Writes {@code after} with the resourceVersion it carries: a concurrent change answers 409. */
    private void update(String namespace, JsonNode after) {
        client.genericKubernetesResources(VIRTUAL_SERVICES).inNamespace(namespace).resource(toResource(after)).update();
    }

    /** Deletes the VirtualService as it was read: if it changed since, the API server answers 409. */
    private void delete(JsonNode vs) {
        resource(RoutePlanner.namespace(vs), vs.path("metadata").path("name").asText())
                .lockResourceVersion(vs.path("metadata").path("resourceVersion").asText()).delete();
    }

    private JsonNode get(RuleRef rule) {
        GenericKubernetesResource resource = resource(rule.namespace(), rule.resource()).get();
        return resource == null ? null : toJson(resource);
    }

    private Resource<GenericKubernetesResource> resource(String namespace, String name) {
        return client.genericKubernetesResources(VIRTUAL_SERVICES).inNamespace(namespace).withName(name);
    }

    private List<JsonNode> virtualServices(String namespace) {
        return call("list VirtualServices in " + namespace, () -> client.genericKubernetesResources(VIRTUAL_SERVICES)
                .inNamespace(namespace).list().getItems().stream().map(this::toJson).toList());
    }

    private <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            throw unavailable(what, e);
        }
    }

    private JsonNode toJson(GenericKubernetesResource resource) {
        return client.getKubernetesSerialization().convertValue(resource, JsonNode.class);
    }

    private GenericKubernetesResource toResource(JsonNode json) {
        return client.getKubernetesSerialization().convertValue(json, GenericKubernetesResource.class);
    }

    private static RuleRef ref(FaultRequest request, JsonNode vs, boolean dedicated) {
        return new RuleRef(request.runId(), RoutePlanner.KIND, request.target().namespace(),
                vs.path("metadata").path("name").asText(), request.ruleName(), dedicated, null);
    }

    private static MeshException refusedBecauseOf(String run, String where, Host host) {
        return new MeshException(Reason.REFUSED, "run " + run + " already has a live Faultline rule for " + host.name()
                + " in VirtualService " + where + "; one Faultline rule per VirtualService at a time");
    }

    private static MeshException unavailable(String what, KubernetesClientException e) {
        return new MeshException(Reason.UNAVAILABLE, "could not " + what + ": " + describe(e), e);
    }

    static String describe(KubernetesClientException e) {
        return e.getCode() > 0 ? "the Kubernetes API answered " + e.getCode()
                + (e.getStatus() != null && e.getStatus().getMessage() != null ? " (" + e.getStatus().getMessage() + ")" : "")
                : "the Kubernetes API did not answer (" + (e.getCause() != null ? e.getCause().getClass().getSimpleName() : e.getMessage()) + ")";
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException(Reason.UNAVAILABLE, "interrupted while waiting to retry", e);
        }
    }

}

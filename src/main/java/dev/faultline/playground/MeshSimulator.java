package dev.faultline.playground;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.Durations;
import dev.faultline.playground.IstioExporter.Edge;
import dev.faultline.playground.IstioExporter.Traffic;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * Plays Istio's data plane for a namespace of a (mock) cluster: requests enter at the ingress
 * gateway at a set rate and follow the {@link Topology}'s calls; every call is routed as Istio's
 * sidecar would by the namespace's VirtualServices (first matching route by {@link IstioRouting},
 * weighted destinations, subsets by the DestinationRules' version labels), faulted by the route's
 * {@code fault} (an abort answers its {@code httpStatus} with flag FI, a delay adds its
 * {@code fixedDelay} with flag DI, each on its percentage of the requests), cut by the route's
 * {@code timeout} (504, flag UT, for the caller) and retried by its {@code retries} when the
 * destination's own errors are retriable. Each service answers with its own baseline errors and
 * latency ({@link Settings}), plus the time of its calls.
 *
 * <p>What the proxies would report goes to the {@link IstioExporter}s: the caller's sidecar
 * ({@code reporter="source"}) sees every answer; the destination's ({@code reporter="destination"})
 * only the requests that reached it, as Istio's do. Rules are read again every {@code period}; the
 * exporters' counters grow at the new rates from then on.
 */
public final class MeshSimulator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MeshSimulator.class);
    static final ResourceDefinitionContext VIRTUAL_SERVICES = new ResourceDefinitionContext.Builder()
            .withGroup("networking.istio.io").withVersion("v1").withKind("VirtualService").withPlural("virtualservices")
            .withNamespaced(true).build();
    static final ResourceDefinitionContext DESTINATION_RULES = new ResourceDefinitionContext.Builder()
            .withGroup("networking.istio.io").withVersion("v1").withKind("DestinationRule").withPlural("destinationrules")
            .withNamespaced(true).build();
    /** Istio's ingress gateway, where requests enter. */
    static final String INGRESS = "istio-ingressgateway";
    private static final int MAX_OUTCOMES = 64;

    /**
     * A version of a service and the services each of its requests calls (in turn). As Bookinfo's, its answer
     * is whole when a call fails (it leaves that part out, taking the call's time); with {@code passesOnErrors}
     * it answers 500 instead, as a service without a fallback does.
     */
    public record Workload(String service, String version, List<String> calls, boolean passesOnErrors) {

        public Workload(String service, String version, List<String> calls) {
            this(service, version, calls, false);
        }
    }

    /** The services of a namespace, their versions and calls, and the service the ingress gateway sends requests to. */
    public record Topology(String entry, List<Workload> workloads) {

        /** Istio's Bookinfo: productpage calls details and reviews; reviews v2 and v3 call ratings. */
        public static Topology bookinfo() {
            return new Topology("productpage", List.of(
                    new Workload("productpage", "v1", List.of("details", "reviews")),
                    new Workload("details", "v1", List.of()),
                    new Workload("reviews", "v1", List.of()),
                    new Workload("reviews", "v2", List.of("ratings")),
                    new Workload("reviews", "v3", List.of("ratings")),
                    new Workload("ratings", "v1", List.of())));
        }

        /** A chain from the gateway: each service (one version, v1) calls the next on every request and answers 500 when that call fails. */
        public static Topology chain(List<String> services) {
            List<Workload> workloads = new ArrayList<>();
            for (int i = 0; i < services.size(); i++) {
                workloads.add(new Workload(services.get(i), "v1", i + 1 < services.size() ? List.of(services.get(i + 1)) : List.of(), true));
            }
            return new Topology(services.get(0), List.copyOf(workloads));
        }

        /** One caller, productpage v1 (entered from the gateway), calling each of {@code services} (one version, v1) on every request. */
        public static Topology productpageCalling(List<String> services) {
            List<Workload> workloads = new ArrayList<>();
            workloads.add(new Workload("productpage", "v1", List.copyOf(services)));
            services.forEach(service -> workloads.add(new Workload(service, "v1", List.of())));
            return new Topology("productpage", List.copyOf(workloads));
        }

        public List<String> services() {
            return workloads.stream().map(Workload::service).distinct().toList();
        }

        List<Workload> versions(String service) {
            return workloads.stream().filter(w -> w.service().equals(service)).toList();
        }
    }

    /** How a service behaves on its own: the share of its answers that are its own errors (503), and its own latency. */
    public record Behaviour(double errorRate, double latencyMs) {

        public Behaviour {
            if (!(errorRate >= 0 && errorRate <= 1)) {
                throw new IllegalArgumentException("errorRate must be between 0 and 1, not " + errorRate);
            }
            if (!(latencyMs >= 0 && latencyMs <= 600_000)) {
                throw new IllegalArgumentException("latencyMs must be between 0 and 600000, not " + latencyMs);
            }
        }
    }

    /**
     * The traffic: requests a second entering at the gateway, the share of them from the signed-in
     * user {@code jason} (header {@code end-user: jason}, as Bookinfo sends it), and each service's own behaviour.
     */
    public record Settings(double requestRate, double jasonShare, Map<String, Behaviour> services) {

        public Settings {
            if (!(requestRate >= 0 && requestRate <= 10_000)) {
                throw new IllegalArgumentException("requestRate must be between 0 and 10000, not " + requestRate);
            }
            if (!(jasonShare >= 0 && jasonShare <= 1)) {
                throw new IllegalArgumentException("jasonShare must be between 0 and 1, not " + jasonShare);
            }
            services = Map.copyOf(services);
        }

        /** Ten requests a second, a fifth of them from jason; Bookinfo's services healthy and quick. */
        public static Settings defaults() {
            return new Settings(10, 0.2, Map.of("productpage", new Behaviour(0, 12), "details", new Behaviour(0, 3),
                    "reviews", new Behaviour(0, 6), "ratings", new Behaviour(0, 2)));
        }

        Behaviour of(String service) {
            return services.getOrDefault(service, new Behaviour(0, 5));
        }

        public Settings with(String service, Behaviour behaviour) {
            Map<String, Behaviour> changed = new HashMap<>(services);
            changed.put(service, behaviour);
            return new Settings(requestRate, jasonShare, changed);
        }
    }

    /** One kind of answer to a share of the requests of a call. */
    record Outcome(double share, int code, String flags, double latencyMs) {
    }

    private final KubernetesClient client;
    private final String namespace;
    private final Topology topology;
    private final Map<String, IstioExporter> exporters;
    private final boolean faultsSeenByDestination;
    private final Duration period;
    private volatile Settings settings;
    private volatile String lastSeen = "";
    private volatile Map<Edge, List<Traffic>> lastTraffic = Map.of();
    private final Thread thread;
    private volatile boolean stopped;

    /**
     * Simulates {@code namespace}'s traffic, each destination service's edges published by its exporter in
     * {@code exporters} (one exporter may serve several; services without one are simulated, not published).
     *
     * @param faultsSeenByDestination also report injected aborts as the destination (as a waypoint does in
     *        ambient mode, where it both injects and reports), not only as the source
     */
    public MeshSimulator(KubernetesClient client, String namespace, Topology topology, Map<String, IstioExporter> exporters,
            Settings settings, boolean faultsSeenByDestination, Duration period) {
        this.client = client;
        this.namespace = namespace;
        this.topology = topology;
        this.exporters = Map.copyOf(exporters);
        this.settings = settings;
        this.faultsSeenByDestination = faultsSeenByDestination;
        this.period = period;
        this.thread = Thread.ofPlatform().daemon().name("mesh-simulator-" + namespace).start(this::loop);
    }

    /** As the tests use it: productpage calling each service of {@code exporters} (those exporters' services), faults seen by both reporters, rules read every 50 ms. */
    public MeshSimulator(KubernetesClient client, String namespace, Map<String, IstioExporter> exporters) {
        this(client, namespace, Topology.productpageCalling(List.copyOf(new java.util.TreeSet<>(exporters.keySet()))), exporters,
                Settings.defaults(), true, Duration.ofMillis(50));
    }

    public Settings settings() {
        return settings;
    }

    /** From now on, this traffic; published within a period. */
    public void settings(Settings settings) {
        this.settings = Objects.requireNonNull(settings);
    }

    /** The traffic last published, by edge. */
    public Map<Edge, List<Traffic>> traffic() {
        return lastTraffic;
    }

    public Topology topology() {
        return topology;
    }

    private void loop() {
        while (!stopped) {
            try {
                step();
            } catch (RuntimeException e) {
                LOG.debugf("mesh simulator could not read %s: %s", namespace, e.toString());
            }
            try {
                Thread.sleep(period.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Reads the rules and publishes the traffic they give, when they or the settings changed. */
    void step() {
        List<JsonNode> virtualServices = list(VIRTUAL_SERVICES);
        List<JsonNode> destinationRules = list(DESTINATION_RULES);
        Settings now = settings;
        String seen = virtualServices.toString() + destinationRules + now;
        if (seen.equals(lastSeen)) {
            return;
        }
        Map<Edge, List<Traffic>> traffic = simulate(virtualServices, destinationRules, now);
        Map<IstioExporter, Map<Edge, List<Traffic>>> byExporter = new LinkedHashMap<>();
        exporters.values().forEach(exporter -> byExporter.putIfAbsent(exporter, new LinkedHashMap<>()));
        traffic.forEach((edge, list) -> {
            IstioExporter exporter = exporters.get(edge.service());
            if (exporter != null) {
                byExporter.get(exporter).put(edge, list);
            }
        });
        byExporter.forEach(IstioExporter::setAll);
        lastTraffic = traffic;
        lastSeen = seen;
    }

    private List<JsonNode> list(ResourceDefinitionContext kind) {
        return client.genericKubernetesResources(kind).inNamespace(namespace).list().getItems().stream()
                .map((GenericKubernetesResource resource) -> client.getKubernetesSerialization().convertValue(resource, JsonNode.class))
                .toList();
    }

    /** The traffic of every edge, by what its reporter sees, for these rules and settings. */
    Map<Edge, List<Traffic>> simulate(List<JsonNode> virtualServices, List<JsonNode> destinationRules, Settings settings) {
        Run run = new Run(virtualServices, destinationRules, settings);
        Caller ingress = new Caller(INGRESS, "istio-system", INGRESS, "unknown");
        double jason = settings.jasonShare();
        run.call(ingress, topology.entry(), Map.of(), settings.requestRate() * (1 - jason));
        run.call(ingress, topology.entry(), Map.of("end-user", "jason"), settings.requestRate() * jason);
        Map<Edge, List<Traffic>> traffic = new LinkedHashMap<>();
        run.counted.forEach((edge, kinds) -> traffic.put(edge, kinds.entrySet().stream()
                .map(kind -> new Traffic(kind.getValue(), kind.getKey().code(), kind.getKey().flags(), kind.getKey().latencyMs()))
                .toList()));
        return traffic;
    }

    private record Caller(String workload, String namespace, String app, String version) {
    }

    private record Kind(int code, String flags, double latencyMs) {
    }

    /** One computation of the traffic. */
    private final class Run {
        final List<JsonNode> virtualServices;
        final Settings settings;
        final Map<Edge, Map<Kind, Double>> counted = new LinkedHashMap<>();
        final Map<String, Map<String, String>> subsets = new HashMap<>();

        Run(List<JsonNode> virtualServices, List<JsonNode> destinationRules, Settings settings) {
            this.virtualServices = virtualServices;
            this.settings = settings;
            for (JsonNode rule : destinationRules) {
                String host = shortHost(rule.path("spec").path("host").asText());
                Map<String, String> versions = subsets.computeIfAbsent(host, h -> new HashMap<>());
                for (JsonNode subset : rule.path("spec").path("subsets")) {
                    versions.put(subset.path("name").asText(), subset.path("labels").path("version").asText(subset.path("name").asText()));
                }
            }
        }

        /** The answers {@code caller} gets from {@code service} for {@code rate} requests a second with these headers. */
        List<Outcome> call(Caller caller, String service, Map<String, String> headers, double rate) {
            List<Workload> versions = topology.versions(service);
            if (versions.isEmpty() || rate <= 0) {
                return List.of(new Outcome(1, 200, "-", 0));
            }
            JsonNode virtualService = virtualServiceFor(service);
            JsonNode route = null;
            if (virtualService != null) {
                IstioRouting.Request request = new IstioRouting.Request("GET", "http", service + ":9080", "/", Map.of(), headers, 9080,
                        Map.of("app", caller.app(), "version", caller.version()), caller.namespace());
                int index = IstioRouting.route(virtualService, request);
                if (index < 0) {
                    count(new Edge("source", caller.workload(), caller.namespace(), caller.app(), caller.version(), service, namespace,
                            versions.get(0).version()), new Kind(404, "NR", 0.1), rate);
                    return List.of(new Outcome(1, 404, "NR", 0.1));
                }
                route = virtualService.path("spec").path("http").get(index);
            }
            Map<String, Double> weights = weights(service, versions, route);
            double abort = route == null ? 0 : percentage(route.path("fault").path("abort"));
            int abortStatus = route == null ? 0 : route.path("fault").path("abort").path("httpStatus").asInt(503);
            double delay = route == null ? 0 : percentage(route.path("fault").path("delay"));
            double delayMs = route == null ? 0 : millis(route.path("fault").path("delay").path("fixedDelay"));
            double timeoutMs = route == null ? 0 : millis(route.path("timeout"));
            int attempts = route == null ? 0 : retries(route.path("retries"));

            List<Outcome> seen = new ArrayList<>();
            for (Map.Entry<String, Double> weighted : weights.entrySet()) {
                Workload workload = versions.stream().filter(w -> w.version().equals(weighted.getKey())).findFirst().orElseThrow();
                double share = weighted.getValue();
                Edge source = new Edge("source", caller.workload(), caller.namespace(), caller.app(), caller.version(), service, namespace,
                        workload.version());
                Edge destination = new Edge("destination", caller.workload(), caller.namespace(), caller.app(), caller.version(), service,
                        namespace, workload.version());
                for (boolean delayed : new boolean[] { true, false }) {
                    double delayedShare = delayed ? delay : 1 - delay;
                    if (delayedShare <= 0) {
                        continue;
                    }
                    double extra = delayed ? delayMs : 0;
                    String injected = delayed ? "DI" : "";
                    if (abort > 0) {
                        double part = share * delayedShare * abort;
                        Kind kind = new Kind(abortStatus, flags(injected, "FI"), extra + 0.2);
                        count(source, kind, rate * part);
                        if (faultsSeenByDestination) {
                            count(destination, kind, rate * part);
                        }
                        seen.add(new Outcome(part, kind.code(), kind.flags(), kind.latencyMs()));
                    }
                    double reached = share * delayedShare * (1 - abort);
                    if (reached <= 0) {
                        continue;
                    }
                    for (Served served : serve(caller, workload, headers, rate * reached, attempts)) {
                        double part = reached * served.share();
                        count(destination, new Kind(served.code(), served.flags(), served.latencyMs()), rate * part * (1 + served.retried()));
                        double latency = served.latencyMs() + extra;
                        Kind kind = timeoutMs > 0 && latency > timeoutMs ? new Kind(504, flags(injected, "UT"), timeoutMs)
                                : new Kind(served.code(), delayed ? "DI" : "-", latency);
                        count(source, kind, rate * part);
                        seen.add(new Outcome(part, kind.code(), kind.flags(), kind.latencyMs()));
                    }
                }
            }
            return merge(seen);
        }

        /** What a version of the service answers (after retries of its own errors), with the time its calls take. */
        List<Served> serve(Caller caller, Workload workload, Map<String, String> headers, double rate, int attempts) {
            Behaviour own = settings.of(workload.service());
            Caller self = new Caller(workload.service() + "-" + workload.version(), namespace, workload.service(), workload.version());
            // Bookinfo's services answer their page even when a call fails (reviews without ratings, productpage without
            // reviews): a call adds its time, not its errors. One that passes errors on answers 500 once a call has failed.
            List<Outcome> calls = List.of(new Outcome(1, 200, "-", 0));
            for (String called : workload.calls()) {
                List<Outcome> answers = call(self, called, headers, rate * (1 - own.errorRate()));
                List<Outcome> combined = new ArrayList<>();
                for (Outcome before : calls) {
                    for (Outcome answer : answers) {
                        int code = workload.passesOnErrors() && (before.code() >= 500 || answer.code() >= 500) ? 500 : 200;
                        combined.add(new Outcome(before.share() * answer.share(), code, "-", before.latencyMs() + answer.latencyMs()));
                    }
                }
                calls = merge(combined);
            }
            // an attempt fails with the service's own error or, when it passes errors on, with a failed call; the
            // caller's proxy retries a failed attempt (a 5xx) up to its route's attempts
            double passed = calls.stream().filter(call -> call.code() >= 500).mapToDouble(Outcome::share).sum();
            double attempt = own.errorRate() + (1 - own.errorRate()) * passed;
            double failing = Math.pow(attempt, attempts + 1);
            double tries = 0;
            for (int i = 0; i <= attempts; i++) {
                tries += Math.pow(attempt, i);
            }
            double retried = tries - 1;
            List<Served> served = new ArrayList<>();
            double ownShare = failing > 0 ? own.errorRate() / attempt : 0;
            if (failing > 0) {
                served.add(new Served(failing * ownShare, 503, "-", own.latencyMs(), retried));
            }
            for (Outcome call : calls) {
                double share = call.code() >= 500 ? failing * (1 - ownShare) * call.share() / passed : (1 - failing) * call.share() / (1 - passed);
                served.add(new Served(share, call.code(), "-", own.latencyMs() + call.latencyMs(), retried));
            }
            return served;
        }

        JsonNode virtualServiceFor(String service) {
            JsonNode found = null;
            for (JsonNode virtualService : virtualServices) {
                boolean serves = false;
                for (JsonNode host : virtualService.path("spec").path("hosts")) {
                    serves |= shortHost(host.asText()).equals(service);
                }
                if (!serves) {
                    continue;
                }
                // Faultline's own VirtualService for a host (when it does not edit the existing one) is the one it means to apply
                if (found == null || virtualService.path("metadata").path("name").asText().startsWith("faultline-")) {
                    found = virtualService;
                }
            }
            return found;
        }

        Map<String, Double> weights(String service, List<Workload> versions, JsonNode route) {
            Map<String, Double> weights = new LinkedHashMap<>();
            JsonNode destinations = route == null ? null : route.path("route");
            if (destinations == null || destinations.isEmpty()) {
                versions.forEach(w -> weights.merge(w.version(), 1.0 / versions.size(), Double::sum));
                return weights;
            }
            double total = 0;
            for (JsonNode destination : destinations) {
                total += destination.path("weight").asDouble(destinations.size() == 1 ? 100 : 0);
            }
            for (JsonNode destination : destinations) {
                double weight = destination.path("weight").asDouble(destinations.size() == 1 ? 100 : 0) / (total > 0 ? total : 1);
                String subset = destination.path("destination").path("subset").asText("");
                if (subset.isEmpty()) {
                    versions.forEach(w -> weights.merge(w.version(), weight / versions.size(), Double::sum));
                } else {
                    String version = Optional.ofNullable(subsets.get(service)).map(s -> s.get(subset)).orElse(subset);
                    if (versions.stream().anyMatch(w -> w.version().equals(version))) {
                        weights.merge(version, weight, Double::sum);
                    }
                }
            }
            return weights;
        }

        void count(Edge edge, Kind kind, double perSecond) {
            if (perSecond > 0) {
                counted.computeIfAbsent(edge, e -> new LinkedHashMap<>()).merge(kind, perSecond, Double::sum);
            }
        }
    }

    /** An answer of the destination, and how many retries of it each request took on average. */
    private record Served(double share, int code, String flags, double latencyMs, double retried) {
    }

    private static String flags(String first, String second) {
        return first.isEmpty() ? second : first + "," + second;
    }

    /** Outcomes of the same answer and latency (to the millisecond) as one; the rarest dropped beyond a bound, their share kept. */
    static List<Outcome> merge(List<Outcome> outcomes) {
        Map<Kind, Double> shares = new LinkedHashMap<>();
        for (Outcome outcome : outcomes) {
            shares.merge(new Kind(outcome.code(), outcome.flags(), Math.round(outcome.latencyMs() * 10) / 10.0), outcome.share(),
                    Double::sum);
        }
        List<Outcome> merged = new ArrayList<>(shares.entrySet().stream()
                .map(e -> new Outcome(e.getValue(), e.getKey().code(), e.getKey().flags(), e.getKey().latencyMs())).toList());
        if (merged.size() > MAX_OUTCOMES) {
            merged.sort((a, b) -> Double.compare(b.share(), a.share()));
            double dropped = merged.subList(MAX_OUTCOMES, merged.size()).stream().mapToDouble(Outcome::share).sum();
            merged = new ArrayList<>(merged.subList(0, MAX_OUTCOMES));
            Outcome first = merged.get(0);
            merged.set(0, new Outcome(first.share() + dropped, first.code(), first.flags(), first.latencyMs()));
        }
        return merged;
    }

    /** A fault's percentage as a share: {@code percentage: {value: 50}} (or a bare number, as older rules wrote it). */
    private static double percentage(JsonNode fault) {
        if (fault.isMissingNode() || fault.isNull()) {
            return 0;
        }
        JsonNode percentage = fault.path("percentage");
        double value = percentage.isNumber() ? percentage.asDouble() : percentage.path("value").asDouble(fault.has("percentage") ? 0 : 100);
        return Math.max(0, Math.min(100, value)) / 100;
    }

    private static int retries(JsonNode retries) {
        if (retries.isMissingNode() || retries.isNull()) {
            return 0;
        }
        String on = retries.path("retryOn").asText("5xx").toLowerCase(Locale.ROOT);
        return on.contains("5xx") || on.contains("gateway-error") || on.contains("retriable-status-codes") || on.contains("503")
                ? retries.path("attempts").asInt(0) : 0;
    }

    /** A duration as Istio writes it ({@code 2s}, {@code 500ms}, {@code 1.5s}) in milliseconds; 0 when absent. */
    static double millis(JsonNode duration) {
        if (duration.isMissingNode() || duration.isNull() || duration.asText().isBlank()) {
            return 0;
        }
        return Durations.parse(duration.asText()).map(d -> d.toNanos() / 1e6).orElse(0.0);
    }

    private static String shortHost(String host) {
        int dot = host.indexOf('.');
        return dot < 0 ? host : host.substring(0, dot);
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
    }
}

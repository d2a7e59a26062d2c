package dev.faultline.playground;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

/**
 * The playground's simulated Bookinfo mesh, in-process: a Kubernetes API (fabric8's mock server in
 * CRUD mode) holding Bookinfo's namespace, Services, Deployments, DestinationRules and
 * VirtualServices; the {@link MeshSimulator} playing its traffic into an {@link IstioExporter}; and
 * Debian's {@code prometheus} scraping that exporter every second, with its data under the data
 * directory. One per JVM, started when the configuration first asks for its addresses
 * ({@link PlaygroundConfigSourceFactory}) and stopped with the application.
 */
public final class Playground {

    private static final Logger LOG = Logger.getLogger(Playground.class);
    public static final String NAMESPACE = "bookinfo";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static Playground running;

    private final KubernetesMockServer cluster;
    private final KubernetesClient client;
    private final IstioExporter exporter;
    private final MeshSimulator simulator;
    private final int prometheusPort;
    private final Path prometheusDirectory;
    private final Path prometheusBinary;
    private volatile PrometheusServer prometheus;
    private volatile String prometheusProblem;

    private Playground(Path dataDirectory, Path prometheusBinary) throws IOException {
        this.prometheusBinary = prometheusBinary;
        long started = System.nanoTime();
        var responses = new HashMap<ServerRequest, Queue<ServerResponse>>();
        cluster = new KubernetesMockServer(new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
        cluster.init(InetAddress.getLoopbackAddress(), 0);
        client = cluster.createClient();
        seed(client);
        exporter = new IstioExporter();
        MeshSimulator.Topology topology = MeshSimulator.Topology.bookinfo();
        Map<String, IstioExporter> exporters = new HashMap<>();
        topology.services().forEach(service -> exporters.put(service, exporter));
        simulator = new MeshSimulator(client, NAMESPACE, topology, exporters, MeshSimulator.Settings.defaults(), false,
                Duration.ofMillis(100));
        prometheusDirectory = dataDirectory.resolve("playground").resolve("prometheus");
        prometheusPort = freePort();
        Thread.ofPlatform().daemon().name("playground-prometheus").start(this::startPrometheus);
        LOG.infof("Playground: simulated Bookinfo mesh ready in %d ms (Kubernetes API %s, namespace %s); nothing real is touched",
                Duration.ofNanos(System.nanoTime() - started).toMillis(), apiServerUrl(), NAMESPACE);
    }

    /** Starts the playground on first call; later calls return the running one. */
    public static synchronized Playground start(Path dataDirectory, Path prometheusBinary) {
        if (running == null) {
            try {
                running = new Playground(dataDirectory, prometheusBinary);
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the playground", e);
            }
        }
        return running;
    }

    /** The running playground, if any. */
    public static synchronized java.util.Optional<Playground> current() {
        return java.util.Optional.ofNullable(running);
    }

    /** Stops the running playground, if any. */
    public static synchronized void stop() {
        if (running != null) {
            running.close();
            running = null;
        }
    }

    public String apiServerUrl() {
        return cluster.url("/");
    }

    /** Where Faultline reads the metrics: the playground's Prometheus (which may not be up yet, or not installed). */
    public URI prometheusUrl() {
        return URI.create("http://127.0.0.1:" + prometheusPort + "/");
    }

    /** Why there is no Prometheus, when there is none (the binary missing, or it failed to start); empty while it runs or starts. */
    public java.util.Optional<String> prometheusProblem() {
        return java.util.Optional.ofNullable(prometheusProblem);
    }

    public boolean prometheusRunning() {
        return prometheus != null;
    }

    public MeshSimulator simulator() {
        return simulator;
    }

    /** The client of the simulated cluster, for the playground's own reads (never for Faultline's writes). */
    public KubernetesClient client() {
        return client;
    }

    private void startPrometheus() {
        if (!PrometheusServer.installed(prometheusBinary)) {
            prometheusProblem = PrometheusServer.missing(prometheusBinary)
                    + "; without it the playground's guardrails and probes have no metrics to read";
            LOG.warn("Playground: " + prometheusProblem);
            return;
        }
        try {
            stopOrphan();
            PrometheusServer server = PrometheusServer.start(prometheusBinary, prometheusDirectory, prometheusPort,
                    List.of(exporter.port()));
            Files.writeString(prometheusDirectory.resolve("pid"), Long.toString(server.pid()));
            prometheus = server;
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "playground-prometheus-stop"));
            LOG.infof("Playground: Prometheus %s scraping the simulated mesh every second (data: %s)", prometheusUrl(),
                    prometheusDirectory);
        } catch (IOException | RuntimeException e) {
            prometheusProblem = "Prometheus did not start: " + e.getMessage();
            LOG.warn("Playground: " + prometheusProblem);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A Prometheus left running on this data by a Faultline that was killed would hold its lock: stop it first. */
    private void stopOrphan() throws IOException {
        Path pidFile = prometheusDirectory.resolve("pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            ProcessHandle.of(pid).filter(process -> process.info().command().map(c -> c.endsWith("prometheus")).orElse(false))
                    .ifPresent(orphan -> {
                        LOG.infof("Playground: stopping Prometheus %d left running by an earlier start", pid);
                        orphan.destroy();
                        orphan.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).exceptionally(e -> null).join();
                    });
        } catch (NumberFormatException e) {
            // not ours
        }
        Files.deleteIfExists(pidFile);
    }

    /**
     * Bookinfo in {@value #NAMESPACE}: the namespace (sidecar injection on), its four Services and Deployments, its
     * DestinationRules, and the VirtualServices of Istio's fault-injection task: every service to v1, except the
     * signed-in user jason's calls to reviews, which go to v2 (and so on to ratings).
     */
    static void seed(KubernetesClient client) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                .addToLabels("istio-injection", "enabled").endMetadata().build()).create();
        for (MeshSimulator.Workload workload : MeshSimulator.Topology.bookinfo().workloads()) {
            String service = workload.service();
            if (client.services().inNamespace(NAMESPACE).withName(service).get() == null) {
                client.services().inNamespace(NAMESPACE).resource(new ServiceBuilder().withNewMetadata().withName(service)
                        .withNamespace(NAMESPACE).addToLabels("app", service).endMetadata().withNewSpec().addNewPort().withName("http")
                        .withPort(9080).endPort().addToSelector("app", service).endSpec().build()).create();
            }
            String name = service + "-" + workload.version();
            Map<String, String> labels = Map.of("app", service, "version", workload.version());
            client.apps().deployments().inNamespace(NAMESPACE).resource(new DeploymentBuilder().withNewMetadata().withName(name)
                    .withNamespace(NAMESPACE).addToLabels(labels).endMetadata().withNewSpec()
                    .withReplicas(1).withNewSelector().addToMatchLabels(labels).endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels(labels).endMetadata()
                    .withNewSpec().addNewContainer().withName(service).withImage("docker.io/istio/examples-bookinfo-" + name + ":1.20.3")
                    .addNewPort().withContainerPort(9080).endPort().endContainer().endSpec().endTemplate().endSpec().build()).create();
        }
        create(client, MeshSimulator.DESTINATION_RULES, "bookinfo-destination-rule-all.yaml");
        create(client, MeshSimulator.VIRTUAL_SERVICES, "bookinfo-virtual-service-all-v1.yaml");
        // as Istio's fault-injection task routes Bookinfo: jason's requests to reviews v2, which calls ratings
        client.genericKubernetesResources(MeshSimulator.VIRTUAL_SERVICES).inNamespace(NAMESPACE).withName("reviews").delete();
        create(client, MeshSimulator.VIRTUAL_SERVICES, "bookinfo-virtual-service-reviews-test-v2.yaml");
    }

    private static void create(KubernetesClient client, ResourceDefinitionContext kind, String file) {
        try (InputStream in = Playground.class.getResourceAsStream("/playground/bookinfo/" + file);
                var values = YAML.readerFor(JsonNode.class).readValues(in)) {
            while (values.hasNextValue()) {
                if (values.nextValue() instanceof ObjectNode document && !document.isEmpty()) {
                    ((ObjectNode) document.get("metadata")).put("namespace", NAMESPACE);
                    client.genericKubernetesResources(kind).inNamespace(NAMESPACE)
                            .resource(client.getKubernetesSerialization().convertValue(document, GenericKubernetesResource.class)).create();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the playground's " + file, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void close() {
        simulator.close();
        if (prometheus != null) {
            try {
                prometheus.close();
                Files.deleteIfExists(prometheusDirectory.resolve("pid"));
            } catch (IOException e) {
                LOG.debugf("Playground: could not stop Prometheus cleanly: %s", e.toString());
            }
        }
        exporter.close();
        client.close();
        cluster.destroy();
    }
}

package dev.faultline.testing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.testing.IstioExporter.Traffic;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Plays Istio's part for the exporters: while a Faultline route with a fault is in a service's
 * VirtualService, half its requests are faulted (injected aborts answer 503 with flag FI, injected
 * delays take 2 s with flag DI); otherwise all are healthy. {@link #breakFor} adds errors of the
 * service's own, as if the fault had knock-on effects.
 */
public final class MeshSimulator implements AutoCloseable {

    private final KubernetesClient client;
    private final String namespace;
    private final Map<String, IstioExporter> exporters;
    private final Map<String, String> states = new ConcurrentHashMap<>();
    private final Map<String, Boolean> broken = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean stopped;

    public MeshSimulator(KubernetesClient client, String namespace, Map<String, IstioExporter> exporters) {
        this.client = client;
        this.namespace = namespace;
        this.exporters = exporters;
        this.thread = Thread.ofPlatform().daemon().name("mesh-simulator").start(this::loop);
    }

    /** From now on, the service also fails on its own (real 503s, not injected) while a fault is live. */
    public void breakWhileFaulted(String service, boolean broken) {
        this.broken.put(service, broken);
    }

    private void loop() {
        while (!stopped) {
            exporters.forEach((service, exporter) -> {
                String state = state(service);
                if (!state.equals(states.put(service, state))) {
                    exporter.set(traffic(service, state));
                }
            });
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private String state(String service) {
        try {
            JsonNode vs = IstioFixtures.virtualService(client, namespace, service);
            JsonNode dedicated = IstioFixtures.virtualServices(client, namespace).stream()
                    .filter(other -> other.path("spec").path("hosts").toString().contains("\"" + service + "\""))
                    .filter(other -> other.path("metadata").path("name").asText().startsWith("faultline-"))
                    .findFirst().orElse(null);
            JsonNode source = dedicated != null ? dedicated : vs;
            if (source == null) {
                return "healthy";
            }
            for (JsonNode route : source.path("spec").path("http")) {
                if (route.path("name").asText("").startsWith("faultline-")) {
                    boolean own = Boolean.TRUE.equals(broken.get(service));
                    return (route.path("fault").has("abort") ? "abort" : "delay") + (own ? "+broken" : "");
                }
            }
            return "healthy";
        } catch (RuntimeException e) {
            return states.getOrDefault(service, "healthy");
        }
    }

    private static Traffic[] traffic(String service, String state) {
        return switch (state) {
            case "abort" -> new Traffic[] { new Traffic(10, 200, "-", 20), new Traffic(10, 503, "FI", 0.2) };
            case "abort+broken" -> new Traffic[] { new Traffic(4, 200, "-", 20), new Traffic(10, 503, "FI", 0.2), new Traffic(6, 503, "-", 20) };
            case "delay" -> new Traffic[] { new Traffic(10, 200, "-", 20), new Traffic(10, 200, "DI", 2000) };
            case "delay+broken" -> new Traffic[] { new Traffic(4, 200, "-", 20), new Traffic(10, 200, "DI", 2000), new Traffic(6, 503, "-", 20) };
            default -> new Traffic[] { new Traffic(20, 200, "-", 20) };
        };
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
    }
}

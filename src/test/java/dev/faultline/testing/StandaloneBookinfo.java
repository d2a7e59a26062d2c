package dev.faultline.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

/**
 * What tests of packaged Faultline servers (started outside Quarkus' test lifecycle) run against:
 * a CRUD-mode mock Kubernetes API seeded with Bookinfo's {@code reviews} VirtualService, and a
 * loopback HTTP server that always answers 200, for guardrails that should hold.
 */
public final class StandaloneBookinfo implements AutoCloseable {

    private final KubernetesMockServer cluster;
    private final KubernetesClient client;
    private final HttpServer healthy;
    private final JsonNode original;

    private StandaloneBookinfo() throws IOException {
        var responses = new HashMap<ServerRequest, Queue<ServerResponse>>();
        cluster = new KubernetesMockServer(new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
        cluster.init();
        client = cluster.createClient();
        IstioFixtures.seed(client, "bookinfo", "virtual-service-all-v1");
        original = IstioFixtures.virtualService(client, "bookinfo", "reviews");
        healthy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        healthy.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 2);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("ok".getBytes());
            }
        });
        healthy.start();
    }

    public static StandaloneBookinfo start() throws IOException {
        return new StandaloneBookinfo();
    }

    /** The mock API server itself, for expectations (a slow or failing answer) on top of its CRUD behaviour. */
    public KubernetesMockServer cluster() {
        return cluster;
    }

    public KubernetesClient client() {
        return client;
    }

    /** The configuration that points a Faultline server at this cluster. */
    public Map<String, String> serverConfig() {
        return Map.of("quarkus.kubernetes-client.api-server-url", cluster.url("/"), "quarkus.kubernetes-client.namespace", "default");
    }

    /** The port of the loopback server that always answers 200. */
    public int healthyPort() {
        return healthy.getAddress().getPort();
    }

    /** The {@code reviews} VirtualService as seeded, before any rule was written. */
    public JsonNode originalReviews() {
        return original;
    }

    /** The {@code reviews} VirtualService as it is now. */
    public JsonNode reviews() {
        return IstioFixtures.virtualService(client, "bookinfo", "reviews");
    }

    @Override
    public void close() {
        client.close();
        cluster.destroy();
        healthy.stop(0);
    }
}

package dev.faultline.run;

import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static dev.faultline.testing.TestApi.awaitTimeline;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.faultline.metrics.HostResolver;
import dev.faultline.security.Role;
import dev.faultline.testing.IstioFixtures;
import dev.faultline.testing.MetricsStack;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestExperiments;
import dev.faultline.testing.TestSecrets;
import dev.faultline.testing.TestUsers;
import dev.faultline.testing.WebhookReceiver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * HTTP probes as an experimenter who aims them at what Faultline must not read would try it: through
 * the API that stores experiments and starts runs, on the mock cluster, against loopback servers that
 * hold a secret (127.0.0.1 and the name listed-by-dns.test are listed in the test configuration, as
 * an operator lists hosts). Names resolve as the JVM resolves them, except the few this test answers
 * for the way an attacker's DNS server would.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = MetricsStack.class, restrictToAnnotatedClass = true) // shares RunLifecycleTest's application
@TestProfile(RunLifecycleTest.Bookinfo.class)
class ProbeEgressRunTest {

    private static final String SECRET = TestSecrets.remember("aws-secret-key-wJalrXUtnFEMI-K7MDENG-probe");
    private static final AtomicInteger EXPERIMENTS = new AtomicInteger();
    private static HttpServer holder;
    private static WebhookReceiver slack;
    /** The Host header of every request the secret holder got. */
    private static final Set<String> hostsSeen = ConcurrentHashMap.newKeySet();

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;

    private JsonNode originalReviews;

    @BeforeAll
    static void startHolder() throws IOException {
        TestApi.sendYamlAsText();
        holder = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        holder.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        holder.createContext("/credentials", exchange -> {
            hostsSeen.add(exchange.getRequestHeaders().getFirst("Host"));
            answer(exchange, ("{\"AccessKeyId\": \"ASIA-probe\", \"SecretAccessKey\": \"" + SECRET + "\"}").getBytes(StandardCharsets.UTF_8));
        });
        holder.createContext("/huge", exchange -> answer(exchange, SECRET.repeat(10 * 1024 * 1024 / SECRET.length()).getBytes(StandardCharsets.UTF_8)));
        holder.start();
        slack = new WebhookReceiver();
    }

    @AfterAll
    static void stopHolder() {
        holder.stop(0);
        slack.close();
    }

    @BeforeEach
    void seed() {
        database.clear();
        hostsSeen.clear();
        IstioFixtures.seedOnce(server.getClient(), "bookinfo", "virtual-service-all-v1");
        originalReviews = IstioFixtures.virtualService(server.getClient(), "bookinfo", "reviews");
        users.create("erin", List.of("bookinfo"), Role.EXPERIMENTER);
    }

    private static void answer(HttpExchange exchange, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        } catch (IOException probeStoppedReading) {
            // the probe read what it reads, and hung up
        }
    }

    private static String holder(String host, String path) {
        return "http://" + host + ":" + holder.getAddress().getPort() + path;
    }

    /** Answers some names as an attacker's DNS server would: one with loopback, one first elsewhere and then with loopback. */
    private static final class AttackersDns extends HostResolver {
        private final AtomicInteger rebindingLookups = new AtomicInteger();

        @Override
        public List<InetAddress> resolve(String host) throws UnknownHostException {
            return switch (host) {
                case "loopback-by-dns.test", "listed-by-dns.test" -> List.of(InetAddress.getByName("127.0.0.1"));
                case "rebinding.test" -> List.of(InetAddress.getByName(rebindingLookups.incrementAndGet() == 1 ? "203.0.113.7" : "127.0.0.1"));
                default -> super.resolve(host);
            };
        }
    }

    /** An experiment on reviews with {@code spec} added to it (guardrails, probes, notify); its name. */
    private static String store(String spec) {
        String name = "egress-" + EXPERIMENTS.incrementAndGet();
        asAdmin().contentType(TestApi.YAML).body(TestExperiments.aborting("reviews").named(name).lasting("5s").with(spec).yaml())
                .post("/api/v1/experiments").then().statusCode(201);
        return name;
    }

    private static String guardrail(String url, String more) {
        return """
                guardrails:
                  - name: credentials
                    http: { url: "%s"%s }
                    interval: 200ms
                    failureThreshold: 1""".formatted(url, more);
    }

    private static JsonPath run(String experiment) {
        return JsonPath.from(as("erin", TestUsers.password("erin")).post("/api/v1/experiments/" + experiment + "/runs?wait=true&timeout=60s")
                .then().statusCode(200).extract().asString());
    }

    private JsonNode reviews() {
        return IstioFixtures.virtualService(server.getClient(), "bookinfo", "reviews");
    }

    @Test
    void aLiteralRefusedAddressIsRefusedOnSaveAtItsFieldThroughEveryDoor() {
        String metadata = TestExperiments.aborting("reviews").named("reads-metadata")
                .steadyWhile("credentials", "http://169.254.169.254/latest/meta-data/iam/security-credentials/").yaml();
        asAdmin().contentType(TestApi.YAML).body(metadata).post("/api/v1/experiments").then().statusCode(400)
                .contentType(TestApi.PROBLEM)
                .body("errors[0].path", equalTo("spec.steadyState.probes[0].http.url"))
                .body("errors[0].message", equalTo("host 169.254.169.254 is not allowed: it is a cloud metadata "
                        + "service's address; an operator may allow it by adding \"169.254.169.254:80\" to faultline.probes.allowed-hosts"));

        Map<String, String> refused = Map.of(
                "http://127.0.0.2:8080/q/health", "host 127.0.0.2 is not allowed: it is a loopback address",
                "http://[::1]/", "host ::1 is not allowed: it is a loopback address",
                "http://localhost:8080/api/v1/users", "host localhost is not allowed: it is a loopback name",
                "http://metadata.google.internal/computeMetadata/v1/", "host metadata.google.internal is not allowed: it is a cloud metadata service's name");
        refused.forEach((url, reason) -> as("erin", TestUsers.password("erin")).contentType(TestApi.YAML)
                .body(TestExperiments.aborting("reviews").named("pokes-inside").with(guardrail(url, "")).yaml())
                .put("/api/v1/experiments/pokes-inside").then().statusCode(400)
                .body("errors.path", equalTo(List.of("spec.guardrails[0].http.url")))
                .body("errors[0].message", startsWith(reason))
                .body("errors[0].message", containsString("faultline.probes.allowed-hosts")));

        String chaosToolkit = """
                title: Metadata token
                description: reads the instance's service account token
                steady-state-hypothesis:
                  title: the token is there
                  probes:
                    - type: probe
                      name: token
                      tolerance: 200
                      provider: { type: http, url: "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token" }
                method:
                  - type: action
                    name: slow-reviews
                    provider:
                      type: python
                      module: chaosistio.fault.actions
                      func: add_delay_fault
                      arguments:
                        virtual_service_name: reviews
                        ns: bookinfo
                        fixed_delay: 2s
                        percentage: { value: 50 }
                        routes: [ { destination: { host: reviews, subset: v1 } } ]
                    pauses: { after: 30 }
                """;
        asAdmin().contentType(TestApi.YAML).body(chaosToolkit).post("/api/v1/import/chaostoolkit?store=true&name=imported-metadata")
                .then().statusCode(400).body("errors.path", equalTo(List.of("spec.steadyState.probes[0].http.url")));

        for (String name : List.of("reads-metadata", "pokes-inside", "imported-metadata")) {
            asAdmin().get("/api/v1/experiments/" + name).then().statusCode(404);
        }
        store(guardrail(holder("127.0.0.1", "/credentials"), "")); // listed (as the tests' servers are): stored
    }

    @Test
    void aNameThatResolvesToLoopbackIsRefusedAtPrecheckUnlessListed() {
        QuarkusMock.installMockForType(new AttackersDns(), HostResolver.class);
        String refused = store(guardrail(holder("loopback-by-dns.test", "/credentials"), ""));

        JsonPath cancelled = run(refused);
        assertThat(cancelled.getString("state")).isEqualTo("CANCELLED");
        assertThat(cancelled.getString("reason")).isEqualTo("the HTTP check spec.guardrails[0] (credentials) may not run: "
                + "host loopback-by-dns.test is not allowed: it resolves to 127.0.0.1, a loopback address; an operator may allow it by adding \""
                + "loopback-by-dns.test:" + holder.getAddress().getPort() + "\" to faultline.probes.allowed-hosts");
        assertThat(cancelled.getList("rules")).isEmpty();
        assertThat(reviews().path("spec")).isEqualTo(originalReviews.path("spec"));
        assertThat(hostsSeen).isEmpty();

        JsonPath listed = run(store(guardrail(holder("listed-by-dns.test", "/credentials"), "")));
        assertThat(listed.getString("state")).as(listed.getString("reason")).isEqualTo("COMPLETED");
        assertThat(hostsSeen).containsExactly("listed-by-dns.test:" + holder.getAddress().getPort());
    }

    @Test
    void aNameThatTurnsToLoopbackDuringTheRunFailsItsCheckRatherThanPassing() {
        QuarkusMock.installMockForType(new AttackersDns(), HostResolver.class);
        JsonPath run = run(store(guardrail(holder("rebinding.test", "/credentials"), "")));

        assertThat(run.getString("state")).isEqualTo("ABORTED");
        assertThat(run.getString("reason")).contains("guardrail \"credentials\" breached")
                .contains("host rebinding.test is not allowed: it resolves to 127.0.0.1, a loopback address");
        assertThat(hostsSeen).isEmpty();
        assertThat(reviews().path("spec")).isEqualTo(originalReviews.path("spec"));
    }

    @Test
    void whatAProbeReadsFromAListedServerIsNeverShownAnywhere() {
        String path = "/services/T0EGRESS/B0PROBE/slack-egress";
        asAdmin().contentType(ContentType.JSON).body(Map.of("name", "egress-slack", "kind", "slack",
                "url", TestSecrets.remember(slack.url(path).toString()))).post("/api/v1/channels").then().statusCode(201);
        String credentials = holder("127.0.0.1", "/credentials");
        JsonPath aborted = run(store("""
                steadyState:
                  probes:
                    - name: credentials are served
                      http: { url: "%s", bodyRegex: "SecretAccessKey" }
                %s
                notify: [ egress-slack ]""".formatted(credentials, guardrail(credentials,
                ", jsonPath: { path: $.SecretAccessKey, equals: a-guess }"))));
        assertThat(aborted.getString("state")).isEqualTo("ABORTED");
        assertThat(aborted.getString("reason")).contains("value at $.SecretAccessKey does not equal the expected value");
        // the guardrail never holds again: its recovery is followed to the end, so no later test sees its requests
        awaitTimeline(aborted.getString("id"), "NOT_RECOVERED");

        JsonPath cancelled = run(store("""
                steadyState:
                  probes:
                    - name: credentials say no
                      http: { url: "%s", bodyRegex: "nothing like this" }
                    - name: everything
                      http: { url: "%s" }""".formatted(credentials, holder("127.0.0.1", "/huge"))));
        assertThat(cancelled.getString("state")).isEqualTo("CANCELLED");
        assertThat(cancelled.getString("reason")).isEqualTo("the steady state does not hold before injection: credentials say no: "
                + "the body of GET " + credentials + " does not match bodyRegex");

        List<String> seen = new ArrayList<>(List.of(slack.await(path, 1, Duration.ofSeconds(10)).get(0).body(),
                asAdmin().get("/api/v1/runs").then().statusCode(200).extract().asString()));
        for (String id : List.of(aborted.getString("id"), cancelled.getString("id"))) {
            for (String read : List.of("", "/samples", "/junit", "/notifications")) {
                seen.add(asAdmin().get("/api/v1/runs/" + id + read).then().statusCode(200).extract().asString());
            }
        }
        assertThat(seen.get(seen.size() - 3)).as("the samples of the cancelled run")
                .contains("was larger than 64 KiB, the most a probe reads").contains("does not match bodyRegex");
        assertThat(seen).allSatisfy(answer -> assertThat(answer).doesNotContain(SECRET).doesNotContain("ASIA-probe"));
    }
}

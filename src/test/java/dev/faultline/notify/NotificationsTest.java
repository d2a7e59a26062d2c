package dev.faultline.notify;

import static dev.faultline.testing.Runs.awaitState;
import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.faultline.security.Role;
import dev.faultline.testing.TestExperiments;
import dev.faultline.testing.IstioFixtures;
import dev.faultline.playground.MeshSimulator;
import dev.faultline.testing.MetricsStack;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestSecrets;
import dev.faultline.testing.TestUsers;
import dev.faultline.testing.WebhookReceiver;
import dev.faultline.testing.WebhookReceiver.Answer;
import dev.faultline.testing.WebhookReceiver.Received;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Notifications as a channel's owner sees them: runs on the mock cluster, watched through the real
 * Prometheus while a simulated mesh turns traffic bad under the fault rule, tell a loopback receiver
 * (standing in for Slack or a webhook endpoint) what happened.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = MetricsStack.class, restrictToAnnotatedClass = true)
@TestProfile(NotificationsTest.Notifying.class)
class NotificationsTest {

    static final String BASE_URL = "https://faultline.example.com";

    public static class Notifying implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("faultline.policy.allowed-namespaces", "bookinfo",
                    "faultline.run.settle-time", "PT1S",
                    "faultline.base-url", BASE_URL + "/",
                    "faultline.notify.backoff", "PT0.2S",
                    "faultline.notify.timeout", "PT3S");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger EXPERIMENTS = new AtomicInteger();
    private static WebhookReceiver receiver;

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;

    private MeshSimulator mesh;
    private JsonNode originalReviews;

    @BeforeAll
    static void startReceiver() {
        TestApi.sendYamlAsText();
        receiver = new WebhookReceiver();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @BeforeEach
    void seed() {
        database.clear();
        IstioFixtures.seedOnce(server.getClient(), "bookinfo", "virtual-service-all-v1");
        originalReviews = IstioFixtures.virtualService(server.getClient(), "bookinfo", "reviews");
        mesh = new MeshSimulator(server.getClient(), "bookinfo", Map.of("reviews", MetricsStack.reviews, "ratings", MetricsStack.ratings));
        users.create("erin", List.of("bookinfo"), Role.EXPERIMENTER);
        MetricsStack.awaitTraffic();
    }

    @AfterEach
    void stopMesh() {
        mesh.close();
    }

    /** A channel stored through the API, its URL a secret path on the receiver. */
    private static String channel(String name, String kind, String path, String secret) {
        String url = TestSecrets.remember(receiver.url(path).toString());
        Map<String, String> body = secret == null ? Map.of("name", name, "kind", kind, "url", url)
                : Map.of("name", name, "kind", kind, "url", url, "secret", TestSecrets.remember(secret));
        asAdmin().contentType(ContentType.JSON).body(body).post("/api/v1/channels").then().statusCode(201);
        return name;
    }

    /**
     * An experiment on reviews with an abort fault and an error-rate guardrail that the fault breaks
     * unless {@code excludeInjected}; {@code notify} is the YAML of its notify list.
     */
    private static String experiment(String duration, boolean excludeInjected, String notify) {
        return create(TestExperiments.aborting("reviews").lasting(duration).errorRateBelowOneFifth(excludeInjected)
                .with("notify: " + notify));
    }

    /** Stores {@code experiment} for the team bookinfo under a name of its own; the name. */
    private static String create(TestExperiments experiment) {
        String name = "notify-" + EXPERIMENTS.incrementAndGet();
        asAdmin().contentType(TestApi.YAML).body(experiment.named(name).team("bookinfo").yaml()).post("/api/v1/experiments")
                .then().statusCode(201);
        return name;
    }

    /** Starts a run of {@code experiment} as erin and aborts it as admin with {@code reason} once it observes; the run's id. */
    private static String abortedRun(String experiment, String reason) {
        String id = as("erin", TestUsers.password("erin")).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/experiments/" + experiment + "/runs").then().statusCode(202).extract().path("id");
        awaitState(id, "OBSERVING");
        asAdmin().contentType(ContentType.JSON).body(reason == null ? Map.of() : Map.of("reason", reason))
                .post("/api/v1/runs/" + id + "/abort").then().statusCode(200);
        return id;
    }

    private static JsonPath runAndWait(String experiment) {
        return JsonPath.from(as("erin", TestUsers.password("erin")).post("/api/v1/experiments/" + experiment + "/runs?wait=true&timeout=60s")
                .then().statusCode(200).extract().asString());
    }

    private static JsonPath notifications(String runId) {
        return JsonPath.from(asAdmin().get("/api/v1/runs/" + runId + "/notifications").then().statusCode(200).extract().asString());
    }

    /** Waits until the run's deliveries to {@code channel} have ended (delivered or given up). */
    private static JsonPath awaitDeliveries(String runId, String channel, int ended) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonPath log = notifications(runId);
        while (System.nanoTime() < deadline) {
            log = notifications(runId);
            List<String> outcomes = log.getList("findAll { it.channel == '" + channel + "' }.outcome");
            if (outcomes.stream().filter(o -> !o.equals("RETRYING")).count() >= ended) {
                return log;
            }
            sleep(50);
        }
        throw new AssertionError("deliveries of run " + runId + " to " + channel + " did not end: " + log.prettify());
    }

    @Test
    void anAbortTellsSlackWhichGuardrailBrokeWithItsValueAgainstTheThresholdAndWhatWasRemoved() throws IOException {
        String path = "/services/T0FAULT/B0LINE/slack-" + EXPERIMENTS.get();
        channel("sre-slack", "slack", path, null);
        JsonPath run = runAndWait(experiment("60s", false, "[ sre-slack ]"));
        assertThat(run.getString("state")).isEqualTo("ABORTED");
        String id = run.getString("id");

        Received message = receiver.await(path, 1, Duration.ofSeconds(10)).get(0);
        assertThat(message.header("Content-Type")).isEqualTo("application/json");
        Map<String, Object> breach = JsonPath.from(asAdmin().get("/api/v1/runs/" + id + "/samples").then().extract().asString())
                .getMap("findAll { it.check == 'spec.guardrails[0]' && it.phase == 'OBSERVING' && !it.passed }[-1]");
        Instant breachedAt = Instant.parse((String) breach.get("at"));
        Instant removedAt = Instant.parse(run.getString("rules[0].removedAt"));
        String expected = """
                {"text": "Faultline: %1$s ABORTED: %2$s",
                 "blocks": [
                  {"type": "header", "text": {"type": "plain_text", "text": ":rotating_light: %1$s aborted"}},
                  {"type": "section", "fields": [
                    {"type": "mrkdwn", "text": "*Experiment*\\n%1$s (revision 1)"},
                    {"type": "mrkdwn", "text": "*Target*\\nreviews in bookinfo"},
                    {"type": "mrkdwn", "text": "*State*\\nABORTED"},
                    {"type": "mrkdwn", "text": "*Verdict*\\nABORTED"},
                    {"type": "mrkdwn", "text": "*Started by*\\nerin"}]},
                  {"type": "section", "text": {"type": "mrkdwn", "text": "*Reason*\\n>%2$s"}},
                  {"type": "section", "text": {"type": "mrkdwn", "text":
                    "*Guardrail breached:* reviews error rate\\n*Value* %3$s against *threshold* below 0.2\\n*Breached at* <!date^%4$d^{date_short_pretty} {time_secs}|%5$s>"}},
                  {"type": "section", "text": {"type": "mrkdwn", "text":
                    "*Rules removed*\\n• %6$s from bookinfo/reviews at <!date^%7$d^{date_short_pretty} {time_secs}|%8$s>"}},
                  {"type": "section", "text": {"type": "mrkdwn", "text": "*Findings* none: no caller went without a timeout or retries for the fault, no errors spread, every guardrail followed it"}},
                  {"type": "actions", "elements": [
                    {"type": "button", "url": "%9$s/runs/%10$s", "text": {"type": "plain_text", "text": "Open run %10$s"}}]}
                 ]}
                """.formatted(run.getString("experiment"), run.getString("reason").replace("\"", "\\\""),
                Messages.number(((Number) breach.get("value")).doubleValue()), breachedAt.getEpochSecond(), breachedAt,
                run.getString("rules[0].route"), removedAt.getEpochSecond(), removedAt, BASE_URL, id);
        assertThat(JSON.readTree(message.body())).isEqualTo(JSON.readTree(expected));
        assertThat(((Number) breach.get("value")).doubleValue()).isGreaterThanOrEqualTo(0.2);

        JsonPath log = awaitDeliveries(id, "sre-slack", 1);
        assertThat(log.getList("channel")).containsExactly("sre-slack");
        assertThat(log.getString("[0].event")).isEqualTo("aborted");
        assertThat(log.getString("[0].outcome")).isEqualTo("DELIVERED");
        assertThat(log.getInt("[0].status")).isEqualTo(200);
        assertThat(receiver.received(path)).as("a bare channel name hears aborts only, not the start").hasSize(1);
    }

    @Test
    void aGuardrailNamedToNotifyTheWholeChannelIsShownInSlackAsTextNotObeyed() throws IOException {
        String path = "/services/T0FAULT/B0LINE/escaped-" + EXPERIMENTS.get();
        channel("sre-slack", "slack", path, null);
        String guardrail = "<!channel> see <https://evil.example|click> & *act*";
        String experiment = create(TestExperiments.aborting("reviews").promqlBelow("'" + guardrail + "'", "vector(1)", 0.5)
                .with("notify: [ sre-slack ]"));
        JsonPath run = runAndWait(experiment);
        assertThat(run.getString("reason")).as("the run keeps the words as written").startsWith("guardrail \"" + guardrail + "\" breached");

        String body = receiver.await(path, 1, Duration.ofSeconds(10)).get(0).body();
        String shown = "&lt;!channel&gt; see &lt;https://evil.example|click&gt; &amp; *act*";
        String because = "guardrail \"" + shown + "\" breached: ";
        JsonNode message = JSON.readTree(body);
        assertThat(message.path("text").asText()).startsWith("Faultline: " + experiment + " ABORTED: " + because);
        assertThat(sections(message)).anySatisfy(text -> assertThat(text).startsWith("*Reason*\n>" + because))
                .anySatisfy(text -> assertThat(text)
                        .startsWith("*Guardrail breached:* " + shown + "\n*Value* 1 against *threshold* below 0.5\n*Breached at* <!date^"));
        assertThat(body).doesNotContain("<!channel>").doesNotContain("<https://evil.example");
    }

    @Test
    void aReasonOfFiveThousandCharactersReachesSlackAndWebhooksCutAt500SayingWhereTheRestIs() throws IOException {
        String slack = "/services/T0FAULT/B0LINE/long-" + EXPERIMENTS.get();
        String hook = "/hooks/long-" + EXPERIMENTS.get();
        channel("long-slack", "slack", slack, null);
        channel("long-hook", "webhook", hook, null);
        String opening = "<!channel> <https://evil.example|click>\n*Verdict*\nCOMPLETED\n";
        String reason = opening + "x".repeat(5000 - opening.length());
        String experiment = experiment("60s", true, "[ long-slack, long-hook ]");
        String id = abortedRun(experiment, reason);

        JsonNode webhook = JSON.readTree(receiver.await(hook, 1, Duration.ofSeconds(10)).get(0).body());
        JsonNode message = JSON.readTree(receiver.await(slack, 1, Duration.ofSeconds(10)).get(0).body());
        String kept = asAdmin().get("/api/v1/runs/" + id).then().statusCode(200).extract().path("reason");
        assertThat(kept).as("the run keeps all of it").isEqualTo("aborted by admin: " + reason);
        String rest = "x".repeat(500 - ("aborted by admin: " + opening).length()) + "… (cut at 500 characters; the full reason is ";
        assertThat(webhook.path("run").path("reason").asText()).as("JSON-escaped by the serializer, and cut")
                .isEqualTo(kept.substring(0, 500) + "… (cut at 500 characters; the full reason is in the API: "
                        + "GET /api/v1/runs/" + id + ")");
        assertThat(sections(message)).contains("*Reason*\n>aborted by admin: &lt;!channel&gt; &lt;https://evil.example|click&gt;"
                + "\n>*Verdict*\n>COMPLETED\n>" + rest + "on the run page)");
        assertThat(message.path("text").asText()).isEqualTo("Faultline: " + experiment + " ABORTED: aborted by admin: "
                + "&lt;!channel&gt; &lt;https://evil.example|click&gt; *Verdict* COMPLETED " + rest + "on the run page)");
    }

    @Test
    void aWebhookHearsTheEventsItChoseSignedWithTheChannelSecret() throws Exception {
        String path = "/hooks/verdicts-" + EXPERIMENTS.get();
        String secret = "whsec-" + EXPERIMENTS.get() + "-0123456789abcdef";
        channel("verdicts", "webhook", path, secret);
        JsonPath run = runAndWait(experiment("3s", true, "[ { channel: verdicts, on: [ started, completed ] } ]"));
        assertThat(run.getString("state")).as(run.getString("reason")).isEqualTo("COMPLETED");

        List<Received> received = receiver.await(path, 2, Duration.ofSeconds(10));
        assertThat(received).extracting(r -> r.header("X-Faultline-Event")).containsExactly("started", "completed");
        for (Received request : received) {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(request.body().getBytes(StandardCharsets.UTF_8)));
            assertThat(request.header("X-Faultline-Signature")).isEqualTo(signature);
            assertThat(request.header("X-Faultline-Delivery")).isNotBlank();
        }
        assertThat(received.get(0).header("X-Faultline-Delivery")).isNotEqualTo(received.get(1).header("X-Faultline-Delivery"));
        JsonNode completed = JSON.readTree(received.get(1).body());
        assertThat(completed.path("event").asText()).isEqualTo("completed");
        assertThat(completed.path("run").path("id").asText()).isEqualTo(run.getString("id"));
        assertThat(completed.path("run").path("state").asText()).isEqualTo("COMPLETED");
        assertThat(completed.path("run").path("url").asText()).isEqualTo(BASE_URL + "/runs/" + run.getString("id"));
        assertThat(completed.path("rules").path(0).path("removedAt").asText()).isEqualTo(run.getString("rules[0].removedAt"));
        assertThat(completed.has("breach")).isFalse();
        assertThat(completed.path("findings").isArray()).as("the end of a run that wrote a rule carries its findings").isTrue();
        assertThat(JSON.readTree(received.get(0).body()).has("findings")).as("its start does not").isFalse();
    }

    @Test
    void aReceiverAsking429IsRetriedAfterItsRetryAfterAndA500AfterTheBackoff() {
        String path = "/hooks/busy-" + EXPERIMENTS.get();
        receiver.script(path, Answer.status(429, "Retry-After", "2"), Answer.status(500), Answer.status(200));
        channel("busy", "slack", path, null);
        String id = abortedRun(experiment("60s", true, "[ busy ]"), "enough");

        List<Received> attempts = receiver.await(path, 3, Duration.ofSeconds(20));
        assertThat(Duration.between(attempts.get(0).at(), attempts.get(1).at())).as("Retry-After: 2 honoured")
                .isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        assertThat(Duration.between(attempts.get(1).at(), attempts.get(2).at())).as("the doubled backoff after a 500")
                .isGreaterThanOrEqualTo(Duration.ofMillis(350)).isLessThan(Duration.ofMillis(1900));
        assertThat(attempts).extracting(Received::body).as("the same message each time").containsOnly(attempts.get(0).body());

        JsonPath log = awaitDeliveries(id, "busy", 1);
        assertThat(log.getList("status", Integer.class)).containsExactly(429, 500, 200);
        assertThat(log.getList("outcome")).containsExactly("RETRYING", "RETRYING", "DELIVERED");
        assertThat(log.getList("attempt", Integer.class)).containsExactly(1, 2, 3);
        assertThat(log.getString("[0].detail")).isEqualTo("the receiver answered 429: no; trying again in 2000 ms");
        assertThat(receiver.received(path)).hasSize(3);
    }

    @Test
    void aReceiverThatKeepsFailingIsGivenUpAfterTheLastAttempt() {
        String path = "/hooks/broken-" + EXPERIMENTS.get();
        receiver.always(path, Answer.status(503));
        channel("broken", "webhook", path, null);
        String id = abortedRun(experiment("60s", true, "[ broken ]"), null);

        JsonPath log = awaitDeliveries(id, "broken", 1);
        assertThat(log.getList("outcome")).containsExactly("RETRYING", "RETRYING", "RETRYING", "RETRYING", "FAILED");
        assertThat(log.getString("[4].detail")).isEqualTo("the receiver answered 503: no");
        assertThat(receiver.received(path)).hasSize(5);
    }

    @Test
    void aReceiverThatHangsForAMinuteDelaysNeitherTheRunNorItsAbort() {
        String path = "/hooks/stuck-" + EXPERIMENTS.get();
        receiver.always(path, Answer.hang());
        channel("stuck", "slack", path, null);
        channel("missing-later", "slack", "/hooks/never", null);
        asAdmin().delete("/api/v1/channels/missing-later").then().statusCode(204);
        Instant before = Instant.now();
        JsonPath run = runAndWait(experiment("60s", false,
                "[ { channel: stuck, on: [ started, aborted, failed ] }, missing-later ]"));

        assertThat(run.getString("state")).isEqualTo("ABORTED");
        assertThat(receiver.hanging()).as("the start notification is still held by the receiver").isGreaterThanOrEqualTo(1);
        Instant abort = Instant.parse(run.getString("timeline.find { it.type == 'ABORT' }.at"));
        Instant removed = Instant.parse(run.getString("rules[0].removedAt"));
        assertThat(Duration.between(abort, removed)).as("breach to rule removed").isLessThan(Duration.ofSeconds(1));
        assertThat(Duration.between(before, Instant.parse(run.getString("endedAt")))).isLessThan(Duration.ofSeconds(30));
        assertThat(IstioFixtures.virtualService(server.getClient(), "bookinfo", "reviews").path("spec"))
                .isEqualTo(originalReviews.path("spec"));

        JsonPath log = awaitDeliveries(run.getString("id"), "missing-later", 1);
        assertThat(log.getString("find { it.channel == 'missing-later' }.detail")).contains("channel missing-later does not exist");
        receiver.await(path, 2, Duration.ofSeconds(10));
    }

    /** The mrkdwn text of each section of a Slack message, in order. */
    private static List<String> sections(JsonNode message) {
        List<String> texts = new ArrayList<>();
        message.path("blocks").forEach(block -> {
            if (block.path("type").asText().equals("section") && block.has("text")) {
                texts.add(block.path("text").path("text").asText());
            }
        });
        return texts;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.faultline.notify;

import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.security.Role;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestSecrets;
import dev.faultline.testing.TestUsers;
import dev.faultline.testing.WebhookReceiver;
import dev.faultline.testing.WebhookReceiver.Answer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** Channels through the API as an admin manages them: the URL and signing secret go in and never come out. */
@QuarkusTest
class ChannelApiTest {

    private static final String CONFIGURED_SECRET_PATH = TestSecrets.remember("configured-channel-secret-path");
    private static WebhookReceiver receiver;

    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;

    @BeforeAll
    static void startReceiver() {
        receiver = new WebhookReceiver();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @BeforeEach
    void clean() {
        database.clear();
    }

    private static String secretUrl(String path) {
        return TestSecrets.remember(receiver.url(path).toString());
    }

    @Test
    void theUrlAndTheSecretGoInAndNeverComeOut() {
        String slackUrl = secretUrl("/services/T0ABC/B0DEF/slack-secret-token-1");
        String secret = TestSecrets.remember("hmac-signing-secret-0001");
        String created = asAdmin().contentType(ContentType.JSON).body(Map.of("name", "sre-slack", "kind", "slack", "url", slackUrl))
                .post("/api/v1/channels").then().statusCode(201)
                .header("Location", org.hamcrest.Matchers.endsWith("/api/v1/channels/sre-slack"))
                .body("host", equalTo(receiver.url("").toString().replaceAll("/$", "")))
                .body("signed", equalTo(false)).body("createdBy", equalTo("admin"))
                .extract().asString();
        asAdmin().contentType(ContentType.JSON).body(Map.of("kind", "webhook", "url", secretUrl("/hooks/signed"), "secret", secret))
                .put("/api/v1/channels/pager").then().statusCode(201).body("signed", equalTo(true));

        users.create("vic", List.of(), Role.VIEWER);
        String listed = as("vic", TestUsers.password("vic")).get("/api/v1/channels").then().statusCode(200)
                .body("name", hasItems("ops-configured", "pager", "sre-slack"))
                .body("find { it.name == 'ops-configured' }.source", equalTo("configuration"))
                .body("find { it.name == 'ops-configured' }.kind", equalTo("slack"))
                .body("find { it.name == 'pager' }.source", equalTo("stored"))
                .extract().asString();
        String read = as("vic", TestUsers.password("vic")).get("/api/v1/channels/pager").then().statusCode(200).extract().asString();
        for (String answer : List.of(created, listed, read)) {
            assertThat(answer).doesNotContain("slack-secret-token-1", "/hooks/signed", secret, CONFIGURED_SECRET_PATH, "\"url\"");
        }
    }

    @Test
    void badChannelsAreRefusedNamingEachField() {
        JsonPath problem = JsonPath.from(asAdmin().contentType(ContentType.JSON)
                .body(Map.of("name", "Team_Channel", "kind", "teams", "url", "ftp://example.com/x", "secret", "short"))
                .post("/api/v1/channels").then().statusCode(400).contentType(TestApi.PROBLEM).extract().asString());
        assertThat(problem.getList("errors.path")).containsExactly("name", "kind", "url", "secret");

        asAdmin().contentType(ContentType.JSON).body(Map.of("kind", "slack", "webhookUrl", "https://hooks.slack.com/services/x"))
                .put("/api/v1/channels/sre").then().statusCode(400).body("errors.path", equalTo(List.of("webhookUrl")))
                .body("errors[0].message", equalTo("is not a field here; known fields: [kind, secret, url]"));
        asAdmin().contentType(ContentType.JSON)
                .body(Map.of("kind", "slack", "url", secretUrl("/services/a"), "secret", "slack-does-not-sign-0001"))
                .put("/api/v1/channels/sre").then().statusCode(400).body("errors.path", equalTo(List.of("secret")));
        asAdmin().contentType(ContentType.JSON).body(Map.of("kind", "slack", "url", secretUrl("/services/a")))
                .put("/api/v1/channels/sre").then().statusCode(201);
        asAdmin().contentType(ContentType.JSON).body(Map.of("name", "sre", "kind", "slack", "url", secretUrl("/services/b")))
                .post("/api/v1/channels").then().statusCode(409);
        asAdmin().get("/api/v1/channels/nobody").then().statusCode(404);
        asAdmin().delete("/api/v1/channels/nobody").then().statusCode(404);
    }

    @Test
    void aChangeKeepsTheUrlAndSecretItDoesNotRepeatAndAnEmptySecretStopsSigning() {
        String path = "/hooks/kept";
        asAdmin().contentType(ContentType.JSON)
                .body(Map.of("kind", "webhook", "url", secretUrl(path), "secret", TestSecrets.remember("kept-signing-secret-01")))
                .put("/api/v1/channels/kept").then().statusCode(201);
        asAdmin().contentType(ContentType.JSON).body(Map.of("kind", "webhook")).put("/api/v1/channels/kept").then().statusCode(200)
                .body("signed", equalTo(true)).body("updatedBy", equalTo("admin"));
        asAdmin().post("/api/v1/channels/kept/test").then().statusCode(200).body("outcome", equalTo("DELIVERED"));
        assertThat(receiver.received(path)).hasSize(1);
        assertThat(receiver.received(path).get(0).header("X-Faultline-Signature")).startsWith("sha256=");

        asAdmin().contentType(ContentType.JSON).body(Map.of("kind", "webhook", "secret", "")).put("/api/v1/channels/kept").then()
                .statusCode(200).body("signed", equalTo(false));
        asAdmin().post("/api/v1/channels/kept/test").then().statusCode(200);
        assertThat(receiver.received(path)).hasSize(2);
        assertThat(receiver.received(path).get(1).header("X-Faultline-Signature")).isNull();
    }

    @Test
    void channelsDeclaredInConfigurationAreUsableButReadOnly() {
        asAdmin().contentType(ContentType.JSON).body(Map.of("kind", "slack", "url", secretUrl("/services/other")))
                .put("/api/v1/channels/ops-configured").then().statusCode(409);
        asAdmin().delete("/api/v1/channels/ops-configured").then().statusCode(409);
        asAdmin().post("/api/v1/channels/ops-configured/test").then().statusCode(200)
                .body("outcome", equalTo("FAILED")).body("detail", org.hamcrest.Matchers.startsWith("the receiver did not answer"));
    }

    @Test
    void aTestMessageIsOneAttemptAndTheAnswerSaysHowTheReceiverResponded() {
        String path = "/services/T0/B0/test-message";
        receiver.always(path, Answer.status(404));
        asAdmin().contentType(ContentType.JSON).body(Map.of("kind", "slack", "url", secretUrl(path))).put("/api/v1/channels/gone")
                .then().statusCode(201);
        asAdmin().post("/api/v1/channels/gone/test").then().statusCode(200)
                .body("outcome", equalTo("FAILED")).body("status", equalTo(404)).body("attempt", equalTo(1))
                .body("detail", equalTo("the receiver answered 404: no"));
        assertThat(receiver.received(path)).hasSize(1);
        assertThat(JsonPath.from(receiver.received(path).get(0).body()).getString("text"))
                .isEqualTo("Faultline test message for channel gone from http://localhost:8080");
        asAdmin().delete("/api/v1/channels/gone").then().statusCode(204);
        asAdmin().post("/api/v1/channels/gone/test").then().statusCode(404);
    }
}

package dev.faultline.secret;

import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.faultline.run.RunLifecycleTest;
import dev.faultline.security.Role;
import dev.faultline.testing.IstioFixtures;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestExperiments;
import dev.faultline.testing.TestSecrets;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.path.json.JsonPath;

/**
 * Secrets as experimenters use them and as a viewer or a colleague would try to read them: through the API,
 * against a loopback server that answers 200 only to the right {@code Authorization} (127.0.0.1 is listed in
 * the test configuration), and a second one that a redirect leads to.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(RunLifecycleTest.Bookinfo.class)
class SecretsTest {

    private static final String TOKEN = TestSecrets.remember("tok-9f8e7d6c5b4a-secret-header");
    private static final String LITERAL = TestSecrets.remember("lit-1a2b3c4d5e6f-literal-header");
    private static HttpServer guarded;
    private static HttpServer elsewhere;
    /** The Authorization header of each request the second server got ("" when none). */
    private static final Queue<String> seenElsewhere = new ConcurrentLinkedQueue<>();
    /** The X-Api-Key header of each request the second server got ("" when none). */
    private static final Queue<String> keysElsewhere = new ConcurrentLinkedQueue<>();

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;
    @Inject
    SecretService secrets;

    @BeforeAll
    static void startServers() throws IOException {
        TestApi.sendYamlAsText();
        elsewhere = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        elsewhere.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        elsewhere.createContext("/", exchange -> {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            seenElsewhere.add(authorization == null ? "" : authorization);
            String key = exchange.getRequestHeaders().getFirst("X-Api-Key");
            keysElsewhere.add(key == null ? "" : key);
            answer(exchange, 200);
        });
        elsewhere.start();
        guarded = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        guarded.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        guarded.createContext("/health", exchange -> {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            answer(exchange, ("Bearer " + TOKEN).equals(authorization) || ("Bearer " + LITERAL).equals(authorization) ? 200 : 401);
        });
        guarded.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().set("Location", "http://127.0.0.1:" + elsewhere.getAddress().getPort() + "/landed");
            answer(exchange, 302);
        });
        guarded.start();
    }

    @AfterAll
    static void stopServers() {
        guarded.stop(0);
        elsewhere.stop(0);
    }

    @BeforeEach
    void seed() {
        database.clear();
        seenElsewhere.clear();
        keysElsewhere.clear();
        IstioFixtures.seedOnce(server.getClient(), "bookinfo", "virtual-service-all-v1");
        users.create("erin", List.of("bookinfo"), Role.EXPERIMENTER);
        users.create("frank", List.of("bookinfo"), Role.EXPERIMENTER);
        users.create("vera", List.of(), Role.VIEWER);
    }

    private static void answer(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    private static String guardedUrl(String path) {
        return "http://127.0.0.1:" + guarded.getAddress().getPort() + path;
    }

    private static String guardedHost() {
        return "127.0.0.1:" + guarded.getAddress().getPort();
    }

    private static io.restassured.specification.RequestSpecification erin() {
        return as("erin", TestUsers.password("erin"));
    }

    private static void putSecret(String name, String value, List<String> hosts, int status) {
        erin().contentType("application/json").body(Map.of("value", value, "hosts", hosts))
                .put("/api/v1/secrets/" + name).then().statusCode(status);
    }

    private static String experiment(String name, String url, String header) {
        return experiment(name, url, "Authorization", header);
    }

    private static String experiment(String name, String url, String headerName, String header) {
        return TestExperiments.aborting("reviews").named(name).lasting("2s").with("""
                steadyState:
                  probes:
                    - name: guarded health
                      http: { url: "%s", headers: { %s: %s } }""".formatted(url, headerName, header)).yaml();
    }

    private static JsonPath run(String experiment) {
        return JsonPath.from(erin().post("/api/v1/experiments/" + experiment + "/runs?wait=true&timeout=60s")
                .then().statusCode(200).extract().asString());
    }

    /** Every answer a viewer can read about the experiment and its run, as text. */
    private static String everythingShown(String experiment, String runId) {
        StringBuilder shown = new StringBuilder();
        for (String path : List.of("/api/v1/experiments/" + experiment, "/api/v1/experiments", "/api/v1/experiments/" + experiment + "/revisions",
                "/api/v1/experiments/" + experiment + "/revisions/1", "/api/v1/experiments/" + experiment + "/revisions/2",
                "/api/v1/experiments/" + experiment + "/export/chaostoolkit", "/api/v1/runs/" + runId, "/api/v1/runs/" + runId + "/samples",
                "/api/v1/runs/" + runId + "/junit", "/api/v1/secrets", "/api/v1/audit?limit=1000")) {
            shown.append(asAdmin().get(path).asString());
            shown.append(asAdmin().accept(TestApi.YAML).get(path).asString());
        }
        return shown.toString();
    }

    @Test
    void aProbeTakesItsHeaderFromASecretThatNoAnswerEverShows() {
        putSecret("guarded-token", "Bearer " + TOKEN, List.of(guardedHost()), 201);
        erin().contentType(TestApi.YAML).body(experiment("with-secret", guardedUrl("/health"), "{ valueFrom: { secret: guarded-token } }"))
                .post("/api/v1/experiments").then().statusCode(201)
                .body("spec.steadyState.probes[0].http.headers.Authorization.valueFrom.secret", equalTo("guarded-token"));

        JsonPath run = run("with-secret");
        assertThat(run.getString("state")).as(run.getString("reason")).isEqualTo("COMPLETED");
        assertThat(everythingShown("with-secret", run.getString("id"))).doesNotContain(TOKEN);
        as("vera", TestUsers.password("vera")).get("/api/v1/secrets/guarded-token").then().statusCode(200)
                .body("hosts", equalTo(List.of(guardedHost()))).body("createdBy", equalTo("erin")).body("value", equalTo(null));
    }

    @Test
    void aLiteralCredentialIsMaskedEverywhereAndKeptWhenTheDocumentComesBack() {
        erin().contentType(TestApi.YAML).body(experiment("with-literal", guardedUrl("/health"), "\"Bearer " + LITERAL + "\""))
                .post("/api/v1/experiments").then().statusCode(201)
                .body("spec.steadyState.probes[0].http.headers.Authorization", equalTo("********"));
        String yaml = erin().accept(TestApi.YAML).get("/api/v1/experiments/with-literal").then().statusCode(200).extract().asString();
        assertThat(yaml).contains("Authorization: '********'").doesNotContain(LITERAL);

        erin().contentType(TestApi.YAML).body(yaml).put("/api/v1/experiments/with-literal").then().statusCode(200)
                .body("status.revision", equalTo(1)); // unchanged: the stored value was kept
        JsonPath run = run("with-literal");
        assertThat(run.getString("state")).as(run.getString("reason")).isEqualTo("COMPLETED");
        assertThat(everythingShown("with-literal", run.getString("id"))).doesNotContain(LITERAL);
        // as a run stored before documents were masked holds it
        database.execute("update run set document = replace(document::text, '********', 'Bearer " + LITERAL + "')::jsonb where id = '"
                + run.getString("id") + "'");
        assertThat(everythingShown("with-literal", run.getString("id"))).doesNotContain(LITERAL);

        erin().contentType(TestApi.YAML).body(experiment("masked-new", guardedUrl("/health"), "\"********\""))
                .post("/api/v1/experiments").then().statusCode(400).contentType(TestApi.PROBLEM)
                .body("errors[0].path", equalTo("spec.steadyState.probes[0].http.headers.Authorization"))
                .body("errors[0].message", containsString("is masked"));
    }

    @Test
    void aMaskedCredentialIsNotKeptForACheckThatNowGoesToAnotherHost() {
        erin().contentType(TestApi.YAML).body(experiment("moving", guardedUrl("/health"), "\"Bearer " + LITERAL + "\""))
                .post("/api/v1/experiments").then().statusCode(201);
        String yaml = erin().accept(TestApi.YAML).get("/api/v1/experiments/moving").then().statusCode(200).extract().asString();
        String other = "http://127.0.0.1:" + elsewhere.getAddress().getPort() + "/health";

        // whoever may edit the document but never saw the value cannot send it to a host of their choosing
        erin().contentType(TestApi.YAML).body(yaml.replace(guardedUrl("/health"), other)).put("/api/v1/experiments/moving")
                .then().statusCode(400).contentType(TestApi.PROBLEM)
                .body("errors[0].path", equalTo("spec.steadyState.probes[0].http.headers.Authorization"))
                .body("errors[0].message", containsString("is masked"));
        // the same host and port, another path: the stored value is kept
        erin().contentType(TestApi.YAML).body(yaml.replace(guardedUrl("/health"), guardedUrl("/health?again"))).put("/api/v1/experiments/moving")
                .then().statusCode(200).body("status.revision", equalTo(2));
        JsonPath run = run("moving");
        assertThat(run.getString("state")).as(run.getString("reason")).isEqualTo("COMPLETED");
    }

    @Test
    void aSecretGoesOnlyToItsHosts() {
        putSecret("guarded-token", "Bearer " + TOKEN, List.of(guardedHost()), 201);
        String other = "http://127.0.0.1:" + elsewhere.getAddress().getPort() + "/health";
        erin().contentType(TestApi.YAML).body(experiment("wrong-host", other, "{ valueFrom: { secret: guarded-token } }"))
                .post("/api/v1/experiments").then().statusCode(400)
                .body("errors[0].path", equalTo("spec.steadyState.probes[0].http.headers.Authorization"))
                .body("errors[0].message", containsString("may not be sent to 127.0.0.1:" + elsewhere.getAddress().getPort()));

        erin().contentType(TestApi.YAML).body(experiment("redirected", guardedUrl("/moved"), "{ valueFrom: { secret: guarded-token } }"))
                .post("/api/v1/experiments").then().statusCode(201);
        JsonPath run = run("redirected");
        assertThat(run.getString("state")).as(run.getString("reason")).isEqualTo("COMPLETED");
        assertThat(seenElsewhere).isNotEmpty().containsOnly("");

        putSecret("guarded-token", "Bearer " + TOKEN, List.of("payments.example.com"), 200);
        JsonPath moved = run("redirected");
        assertThat(moved.getString("state")).isEqualTo("CANCELLED");
        assertThat(moved.getString("reason")).contains("secret guarded-token may not be sent to " + guardedHost())
                .contains("spec.steadyState.probes[0].http.headers.Authorization").doesNotContain(TOKEN);

        erin().contentType(TestApi.YAML).body(experiment("in-url", "http://user:pw@" + guardedHost() + "/health", "x"))
                .post("/api/v1/experiments").then().statusCode(400)
                .body("errors[0].path", equalTo("spec.steadyState.probes[0].http.url"))
                .body("errors[0].message", containsString("valueFrom"));
    }

    @Test
    void thePreviewWarnsOfASecretNotStoredYetOrNotForTheCheckedHost() {
        String field = "spec.steadyState.probes[0].http.headers.Authorization";
        erin().contentType(TestApi.YAML).body(experiment("previewed", guardedUrl("/health"), "{ valueFrom: { secret: later-token } }"))
                .post("/api/v1/experiments").then().statusCode(201);
        erin().post("/api/v1/experiments/previewed/preview").then().statusCode(200)
                .body("refusals", hasItem(allOf(containsString("secret later-token does not exist"),
                        containsString("PUT /api/v1/secrets/later-token (" + field + ")"))))
                .body("warnings", hasItem(containsString("a run would be cancelled at PRECHECK: secret later-token")));

        putSecret("later-token", "Bearer " + TOKEN, List.of("payments.example.com"), 201);
        erin().post("/api/v1/experiments/previewed/preview").then().statusCode(200)
                .body("refusals", hasItem(allOf(containsString("later-token"), containsString(field), containsString("127.0.0.1"))))
                .body(not(containsString(TOKEN)));

        putSecret("later-token", "Bearer " + TOKEN, List.of(guardedHost()), 200);
        erin().post("/api/v1/experiments/previewed/preview").then().statusCode(200)
                .body("refusals", not(hasItem(containsString("later-token"))))
                .body("warnings", not(hasItem(containsString("later-token"))));
    }

    @Test
    void aLiteralCredentialHeaderIsNotSentOnARedirectToAnotherHost() {
        erin().contentType(TestApi.YAML).body(experiment("redirected-key", guardedUrl("/moved"), "X-Api-Key", "\"" + LITERAL + "\""))
                .post("/api/v1/experiments").then().statusCode(201);
        JsonPath run = run("redirected-key");
        assertThat(run.getString("state")).as(run.getString("reason")).isEqualTo("COMPLETED");
        assertThat(keysElsewhere).isNotEmpty().containsOnly("");
    }

    @Test
    void aRunWhoseSecretIsMissingOrUnreadableIsCancelledSayingWhich() {
        erin().contentType(TestApi.YAML).body(experiment("not-yet", guardedUrl("/health"), "{ valueFrom: { secret: later-token } }"))
                .post("/api/v1/experiments").then().statusCode(201);
        JsonPath missing = run("not-yet");
        assertThat(missing.getString("state")).isEqualTo("CANCELLED");
        assertThat(missing.getString("reason")).contains("secret later-token")
                .contains("spec.steadyState.probes[0].http.headers.Authorization").contains("does not exist");

        putSecret("later-token", "Bearer " + TOKEN, List.of(guardedHost()), 201);
        SecretCipher.Key before = secrets.useKey(SecretCipher.Key.of("another-key-of-another-replica"));
        try {
            JsonPath unreadable = run("not-yet");
            assertThat(unreadable.getString("state")).isEqualTo("CANCELLED");
            assertThat(unreadable.getString("reason")).contains("secret later-token was stored with another faultline.secrets.key");
        } finally {
            secrets.useKey(before);
        }
        assertThat(run("not-yet").getString("state")).isEqualTo("COMPLETED");
    }

    @Test
    void onlyTheCreatorOrAnAdminChangesASecretAndNoneInUseIsDeleted() {
        as("vera", TestUsers.password("vera")).contentType("application/json").body(Map.of("value", "v", "hosts", List.of("a.example")))
                .put("/api/v1/secrets/viewers").then().statusCode(403);
        putSecret("erins", "Bearer " + TOKEN, List.of(guardedHost()), 201);
        as("frank", TestUsers.password("frank")).contentType("application/json").body(Map.of("value", "mine now", "hosts", List.of("evil.example")))
                .put("/api/v1/secrets/erins").then().statusCode(403);
        asAdmin().contentType("application/json").body(Map.of("value", "Bearer " + TOKEN, "hosts", List.of(guardedHost(), "api.example.com:443")))
                .put("/api/v1/secrets/erins").then().statusCode(200).body("updatedBy", equalTo("admin")).body("createdBy", equalTo("erin"));
        erin().contentType("application/json").body(Map.of("value", "a\nb", "hosts", List.of("ok.example", "bad host/")))
                .put("/api/v1/secrets/Bad_Name").then().statusCode(400)
                .body("errors.path", equalTo(List.of("name", "value", "hosts[1]")));

        erin().contentType(TestApi.YAML).body(experiment("uses-it", guardedUrl("/health"), "{ valueFrom: { secret: erins } }"))
                .post("/api/v1/experiments").then().statusCode(201);
        erin().delete("/api/v1/secrets/erins").then().statusCode(409).body("detail", containsString("uses-it"));
        erin().delete("/api/v1/experiments/uses-it").then().statusCode(204);
        erin().delete("/api/v1/secrets/erins").then().statusCode(204);
    }

    @Test
    void aReferenceIsCheckedLikeEveryOtherField() {
        erin().contentType(TestApi.YAML).body(experiment("typo", guardedUrl("/health"), "{ valueFrom: { secert: x } }"))
                .post("/api/v1/experiments").then().statusCode(400)
                .body("errors.path", equalTo(List.of("spec.steadyState.probes[0].http.headers.Authorization.valueFrom.secret",
                        "spec.steadyState.probes[0].http.headers.Authorization.valueFrom.secert")))
                .body("errors[1].message", containsString("did you mean \"secret\""));
    }
}

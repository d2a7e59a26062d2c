package dev.faultline.security;

import static dev.faultline.testing.TestApi.asAdmin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.faultline.testing.Examples;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * The browser's session cookie as an attacker and an ingress meet it, with the proxy settings of
 * {@code deploy/deployment.yaml}: a page on another site can make a signed-in browser post to the
 * API, but the cookie does not sign in changes there; and behind the ingress that terminated TLS
 * the cookie is {@code Secure}.
 */
@QuarkusTest
@TestProfile(SessionCookieTest.BehindTheIngress.class)
class SessionCookieTest {

    static final String COOKIE = "quarkus-credential";

    /** The deployment's {@code QUARKUS_HTTP_PROXY_*} settings; the test client, on loopback, stands in for the ingress. */
    public static class BehindTheIngress implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> proxy = new HashMap<>();
            try {
                JsonNode deployment = new ObjectMapper(new YAMLFactory()).readTree(Path.of("deploy", "deployment.yaml").toFile());
                deployment.at("/spec/template/spec/containers/0/env").forEach(variable -> {
                    String name = variable.path("name").asText();
                    if (name.startsWith("QUARKUS_HTTP_PROXY_")) {
                        proxy.put("quarkus.http.proxy." + name.substring("QUARKUS_HTTP_PROXY_".length()).toLowerCase(Locale.ROOT)
                                .replace('_', '-'), variable.path("value").asText());
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            assertThat(proxy).containsKey("quarkus.http.proxy.trusted-proxies");
            proxy.merge("quarkus.http.proxy.trusted-proxies", "127.0.0.1", (deployed, loopback) -> deployed + "," + loopback);
            return proxy;
        }
    }

    @Inject
    TestDatabase database;

    @BeforeAll
    static void yaml() {
        TestApi.sendYamlAsText();
    }

    @BeforeEach
    void clean() {
        database.clear();
    }

    /** Signs in through the sign-in form, as the browser does; the answer sets the session cookie. */
    private static Response signInWithTheForm(Map<String, String> headers) {
        return given().redirects().follow(false).headers(headers).contentType(ContentType.URLENC)
                .formParam("username", "admin").formParam("password", TestApi.ADMIN_PASSWORD)
                .post("/j_security_check");
    }

    private static String sessionCookie() {
        String cookie = signInWithTheForm(Map.of()).then().statusCode(302).extract().cookie(COOKIE);
        assertThat(cookie).isNotBlank();
        return cookie;
    }

    @Test
    void aCrossSitePostCarryingTheSessionCookieStartsNothingApprovesNothingAndHaltsNothing() {
        asAdmin().contentType(TestApi.YAML).body(Examples.yaml("reviews-v2-latency")).post("/api/v1/experiments").then().statusCode(201);
        String cookie = sessionCookie();
        given().cookie(COOKIE, cookie).get("/api/v1/me").then().statusCode(200).body("username", equalTo("admin"));

        // What a page elsewhere can make the browser send without asking: a form (url-encoded or
        // multipart) or plain text, with the cookie attached.
        List<Supplier<RequestSpecification>> forgedPosts = List.of(
                () -> given().cookie(COOKIE, cookie).formParam("widerBlastRadius", "true"),
                () -> given().cookie(COOKIE, cookie).multiPart("widerBlastRadius", "true"),
                () -> given().cookie(COOKIE, cookie).contentType(ContentType.TEXT).body("widerBlastRadius=true"));
        for (Supplier<RequestSpecification> forged : forgedPosts) {
            forged.get().post("/api/v1/experiments/reviews-v2-latency/runs").then().statusCode(403).contentType(TestApi.PROBLEM)
                    .body("detail", containsString("session cookie"));
            forged.get().post("/api/v1/gamedays/any/approve").then().statusCode(403);
            forged.get().post("/api/v1/gamedays/any/start").then().statusCode(403);
        }
        given().cookie(COOKIE, cookie).post("/api/v1/experiments/reviews-v2-latency/runs").then().statusCode(403);
        given().cookie(COOKIE, cookie).contentType(ContentType.JSON).body("{\"reason\": \"forged\"}").post("/api/v1/halt")
                .then().statusCode(403);
        given().cookie(COOKIE, cookie).delete("/api/v1/experiments/reviews-v2-latency").then().statusCode(403);

        asAdmin().get("/api/v1/runs").then().statusCode(200).body("size()", equalTo(0));
        asAdmin().get("/api/v1/experiments/reviews-v2-latency").then().statusCode(200);
        asAdmin().get("/api/v1/halt").then().statusCode(200).body("halted", equalTo(false));

        // Credentials a page cannot attach (HTTP Basic, tokens) act as before.
        asAdmin().contentType(ContentType.JSON).body("{\"reason\": \"from CI\"}").post("/api/v1/halt").then().statusCode(200);
        asAdmin().delete("/api/v1/halt").then().statusCode(200);
    }

    @Test
    void theSessionCookieIsSecureWhenTheIngressSawHttps() {
        Response behindTls = signInWithTheForm(Map.of("X-Forwarded-Proto", "https", "X-Forwarded-Host", "faultline.example.com"));
        behindTls.then().statusCode(302).header("Location", startsWith("https://faultline.example.com/"));
        assertThat(behindTls.detailedCookie(COOKIE).isSecured()).as("Secure behind TLS").isTrue();
        assertThat(behindTls.detailedCookie(COOKIE).isHttpOnly()).isTrue();

        Response plain = signInWithTheForm(Map.of());
        plain.then().statusCode(302);
        assertThat(plain.detailedCookie(COOKIE).isSecured()).as("Secure over plain HTTP").isFalse();
    }
}

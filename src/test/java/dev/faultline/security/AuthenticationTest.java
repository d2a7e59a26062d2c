package dev.faultline.security;

import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.containsStringIgnoringCase;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.testing.Examples;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class AuthenticationTest {

    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;
    @Inject
    UserService userService;

    @BeforeAll
    static void yaml() {
        TestApi.sendYamlAsText();
    }

    @BeforeEach
    void clean() {
        database.clear();
    }

    @Test
    void nothingUnderApiOrOpenApiAnswersWithoutCredentials() {
        given().get("/api/v1/experiments").then().statusCode(401).header("WWW-Authenticate", containsStringIgnoringCase("basic"));
        given().get("/q/openapi").then().statusCode(401);
        given().get("/q/swagger-ui/").then().statusCode(401);
        given().get("/api/v1/no-such-endpoint").then().statusCode(401);
    }

    @Test
    void healthAndMetricsStayOpenToScrapers() {
        given().get("/q/health").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }

    @Test
    void wrongPasswordUnknownUserAndDisabledUserAreRejected() {
        users.create("vera", List.of("bookinfo"), Role.VIEWER);

        as("vera", TestUsers.password("vera")).get("/api/v1/experiments").then().statusCode(200);
        as("vera", "not-her-password").get("/api/v1/experiments").then().statusCode(401);
        as("nobody", "whatever").get("/api/v1/experiments").then().statusCode(401);

        userService.update("vera", java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.of(true),
                java.util.Optional.empty());
        as("vera", TestUsers.password("vera")).get("/api/v1/experiments").then().statusCode(401);
    }

    @Test
    void viewersReadButDoNotWrite() {
        users.create("vera", List.of("bookinfo"), Role.VIEWER);
        asAdmin().contentType(TestApi.YAML).body(Examples.yaml("ratings-abort-jason")).post("/api/v1/experiments")
                .then().statusCode(201);

        as("vera", TestUsers.password("vera")).get("/api/v1/experiments/ratings-abort-jason").then().statusCode(200);
        as("vera", TestUsers.password("vera")).contentType(TestApi.YAML).body(Examples.yaml("reviews-v2-latency"))
                .post("/api/v1/experiments")
                .then().statusCode(403).contentType(TestApi.PROBLEM).body("status", equalTo(403));
        as("vera", TestUsers.password("vera")).delete("/api/v1/experiments/ratings-abort-jason").then().statusCode(403);
    }

    @Test
    void experimentersWriteOnlyInTheirNamespaces() {
        users.create("erin", List.of("bookinfo"), Role.EXPERIMENTER);
        String elsewhere = Examples.yaml("reviews-v2-latency").replace("namespace: bookinfo", "namespace: payments");

        as("erin", TestUsers.password("erin")).contentType(TestApi.YAML).body(Examples.yaml("reviews-v2-latency"))
                .post("/api/v1/experiments").then().statusCode(201).body("status.createdBy", equalTo("erin"));
        as("erin", TestUsers.password("erin")).contentType(TestApi.YAML).body(elsewhere)
                .put("/api/v1/experiments/reviews-v2-latency")
                .then().statusCode(403).contentType(TestApi.PROBLEM)
                .body("detail", containsString("no grant for namespace payments"));
        asAdmin().contentType(TestApi.YAML).body(elsewhere).put("/api/v1/experiments/reviews-v2-latency").then().statusCode(200);
        as("erin", TestUsers.password("erin")).delete("/api/v1/experiments/reviews-v2-latency").then().statusCode(403);
    }
}

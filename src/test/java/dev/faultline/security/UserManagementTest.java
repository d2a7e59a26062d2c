package dev.faultline.security;

import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestSecrets;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

@QuarkusTest
class UserManagementTest {

    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;

    @BeforeEach
    void clean() {
        database.clear();
    }

    private static RequestSpecification admin() {
        return asAdmin().contentType(ContentType.JSON);
    }

    @Test
    void anAdminCreatesAUserWithAGeneratedPasswordShownOnce() {
        String password = TestSecrets.remember(admin()
                .body(Map.of("username", "dana", "roles", List.of("experimenter"), "namespaces", List.of("bookinfo", "shop")))
                .post("/api/v1/users")
                .then().statusCode(201)
                .header("Location", containsString("/api/v1/users/dana"))
                .body("roles", contains("experimenter"))
                .extract().path("password"));
        assertThat(password).hasSize(20);

        as("dana", password).get("/api/v1/me").then().statusCode(200)
                .body("username", equalTo("dana"))
                .body("roles", hasItems("experimenter", "viewer"))
                .body("namespaces", contains("bookinfo", "shop"))
                .body("via", equalTo("password"));
        String listed = asAdmin().get("/api/v1/users").then().statusCode(200)
                .body("username", hasItems("admin", "dana")).extract().asString();
        String read = asAdmin().get("/api/v1/users/dana").then().statusCode(200)
                .body("createdBy", equalTo("admin")).body("password", nullValue()).extract().asString();
        assertThat(listed + read).doesNotContain(password).doesNotContain("$2a$").doesNotContainIgnoringCase("hash");
    }

    @Test
    void aChosenPasswordIsNotEchoed() {
        String password = TestSecrets.remember("a-Long-enough-passphrase");
        admin().body(Map.of("username", "eve", "password", password, "roles", List.of("viewer")))
                .post("/api/v1/users").then().statusCode(201).body("password", nullValue());
        as("eve", password).get("/api/v1/experiments").then().statusCode(200);
    }

    @Test
    void badUsersAreRefusedFieldByField() {
        admin().body(Map.of("username", "no spaces", "password", "short", "roles", List.of("boss"), "namespaces", List.of("Not_A_Label")))
                .post("/api/v1/users").then().statusCode(400)
                .body("errors.path", contains("username", "password", "roles[0]", "namespaces[0]"));
        admin().body(Map.of("username", "nobody")).post("/api/v1/users").then().statusCode(400)
                .body("errors.path", contains("roles"));
        admin().body(Map.of("username", "x", "roles", List.of("viewer"), "colour", "blue")).post("/api/v1/users").then()
                .statusCode(400).body("errors[0].path", equalTo("colour"));
        users.create("frank", List.of(), Role.VIEWER);
        admin().body(Map.of("username", "frank", "roles", List.of("viewer"))).post("/api/v1/users").then().statusCode(409);
    }

    @Test
    void changesApplyToTheNextRequestAndDisablingLocksOutPasswordsAndTokens() {
        users.create("gus", List.of("bookinfo"), Role.VIEWER);
        RequestSpecification gus = as("gus", TestUsers.password("gus"));
        String token = TestSecrets.remember(gus.contentType(ContentType.JSON).body(Map.of("name", "ci", "expiresIn", "1d"))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token"));

        admin().body(Map.of("roles", List.of("experimenter", "approver"), "namespaces", List.of("shop")))
                .patch("/api/v1/users/gus").then().statusCode(200)
                .body("roles", contains("experimenter", "approver")).body("namespaces", contains("shop"));
        as("gus", TestUsers.password("gus")).get("/api/v1/me").then().body("namespaces", contains("shop"))
                .body("roles", hasItem("approver"));

        admin().body(Map.of("disabled", true)).patch("/api/v1/users/gus").then().statusCode(200).body("disabled", equalTo(true));
        as("gus", TestUsers.password("gus")).get("/api/v1/me").then().statusCode(401);
        given().header("Authorization", "Bearer " + token).get("/api/v1/me").then().statusCode(401);

        String reset = TestSecrets.remember("reset-by-the-admin-0042");
        admin().body(Map.of("disabled", false, "password", reset)).patch("/api/v1/users/gus").then().statusCode(200);
        as("gus", TestUsers.password("gus")).get("/api/v1/me").then().statusCode(401);
        as("gus", reset).get("/api/v1/me").then().statusCode(200);
    }

    @Test
    void deletingAUserTakesTheirTokensWithThem() {
        users.create("hal", List.of(), Role.VIEWER);
        String token = TestSecrets.remember(as("hal", TestUsers.password("hal")).contentType(ContentType.JSON)
                .body(Map.of("name", "ci", "expiresIn", "1d")).post("/api/v1/tokens").then().statusCode(201).extract().path("token"));

        asAdmin().delete("/api/v1/users/hal").then().statusCode(204);

        given().header("Authorization", "Bearer " + token).get("/api/v1/me").then().statusCode(401);
        asAdmin().get("/api/v1/tokens?owner=hal").then().statusCode(200).body("", hasSize(0));
        asAdmin().delete("/api/v1/users/hal").then().statusCode(404);
        asAdmin().get("/api/v1/users/hal").then().statusCode(404);
    }

    @Test
    void faultlineAlwaysKeepsAnEnabledAdmin() {
        admin().body(Map.of("roles", List.of("viewer"))).patch("/api/v1/users/admin").then().statusCode(409)
                .body("detail", containsString("last enabled admin"));
        admin().body(Map.of("disabled", true)).patch("/api/v1/users/admin").then().statusCode(409);
        asAdmin().delete("/api/v1/users/admin").then().statusCode(409);
        asAdmin().get("/api/v1/users/admin").then().body("roles", contains("admin")).body("disabled", equalTo(false));

        users.create("ivy", List.of("*"), Role.ADMIN);
        as("ivy", TestUsers.password("ivy")).contentType(ContentType.JSON).body(Map.of("roles", List.of("viewer")))
                .patch("/api/v1/users/admin").then().statusCode(200);
        as("ivy", TestUsers.password("ivy")).contentType(ContentType.JSON).body(Map.of("disabled", true))
                .patch("/api/v1/users/ivy").then().statusCode(409);
    }

    @Test
    void usersChangeTheirOwnPasswordWithTheCurrentOne() {
        users.create("jo", List.of(), Role.VIEWER);
        String next = TestSecrets.remember("jo-next-Passphrase-77");
        RequestSpecification jo = as("jo", TestUsers.password("jo")).contentType(ContentType.JSON);

        jo.body(Map.of("currentPassword", "not-it-at-all", "newPassword", next)).put("/api/v1/me/password").then()
                .statusCode(400).body("errors[0].path", equalTo("currentPassword"));
        as("jo", TestUsers.password("jo")).contentType(ContentType.JSON)
                .body(Map.of("currentPassword", TestUsers.password("jo"), "newPassword", "short")).put("/api/v1/me/password")
                .then().statusCode(400).body("errors[0].path", equalTo("newPassword"));
        as("jo", TestUsers.password("jo")).contentType(ContentType.JSON)
                .body(Map.of("currentPassword", TestUsers.password("jo"), "newPassword", next)).put("/api/v1/me/password")
                .then().statusCode(204);

        as("jo", TestUsers.password("jo")).get("/api/v1/me").then().statusCode(401);
        as("jo", next).get("/api/v1/me").then().statusCode(200);
    }

    @Test
    void onlyAdminsManageUsers() {
        users.create("kim", List.of("*"), Role.EXPERIMENTER, Role.APPROVER);
        as("kim", TestUsers.password("kim")).get("/api/v1/users").then().statusCode(403);
        as("kim", TestUsers.password("kim")).contentType(ContentType.JSON).body(Map.of("roles", List.of("admin")))
                .patch("/api/v1/users/kim").then().statusCode(403);
    }
}

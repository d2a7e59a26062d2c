package dev.faultline.security;

import static dev.faultline.testing.TestApi.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.testing.Examples;
import dev.faultline.testing.StatementCounter;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestSecrets;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

@QuarkusTest
class ApiTokenTest {

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
        users.create("erin", List.of("bookinfo"), Role.EXPERIMENTER);
    }

    private static RequestSpecification erin() {
        return as("erin", TestUsers.password("erin")).contentType(ContentType.JSON);
    }

    private static RequestSpecification bearer(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    private static String createToken(List<String> roles) {
        return TestSecrets.remember(erin().body(Map.of("name", "ci pipeline", "roles", roles, "expiresIn", "30d"))
                .when().post("/api/v1/tokens")
                .then().statusCode(201)
                .body("token", startsWith("flt_"))
                .body("owner", equalTo("erin"))
                .extract().path("token"));
    }

    @Test
    void aTokenSignsInWithItsOwnRolesOnly() {
        String token = createToken(List.of("viewer"));

        bearer(token).get("/api/v1/experiments").then().statusCode(200);
        bearer(token).contentType(TestApi.YAML).body(Examples.yaml("reviews-v2-latency"))
                .post("/api/v1/experiments").then().statusCode(403);
        String writer = createToken(List.of("experimenter"));
        bearer(writer).contentType(TestApi.YAML).body(Examples.yaml("reviews-v2-latency"))
                .post("/api/v1/experiments").then().statusCode(201).body("status.createdBy", equalTo("erin"));
    }

    @Test
    void aTokenCannotExceedItsOwnersRoles() {
        erin().body(Map.of("name", "too much", "roles", List.of("admin"), "expiresIn", "1d"))
                .post("/api/v1/tokens")
                .then().statusCode(403).contentType(TestApi.PROBLEM)
                .body("detail", containsString("roles its owner lacks: admin"));

        String token = createToken(List.of("experimenter"));
        userService.update("erin", Optional.of(Set.of(Role.VIEWER)), Optional.empty(), Optional.empty(), Optional.empty());
        bearer(token).contentType(TestApi.YAML).body(Examples.yaml("reviews-v2-latency"))
                .post("/api/v1/experiments").then().statusCode(403);
        bearer(token).get("/api/v1/experiments").then().statusCode(200);
    }

    @Test
    void revokedExpiredAndMalformedTokensFail() {
        String revoked = createToken(List.of("viewer"));
        String id = revoked.split("_")[1];
        erin().delete("/api/v1/tokens/" + id).then().statusCode(204);
        erin().delete("/api/v1/tokens/" + id).then().statusCode(204);
        bearer(revoked).get("/api/v1/experiments").then().statusCode(401);

        String expired = createToken(List.of("viewer"));
        bearer(expired).get("/api/v1/experiments").then().statusCode(200);
        database.execute("update api_token set expires_at = now() - interval '1 second' where public_id = '"
                + expired.split("_")[1] + "'");
        bearer(expired).get("/api/v1/experiments").then().statusCode(401);

        String valid = createToken(List.of("viewer"));
        char last = valid.charAt(valid.length() - 1);
        String tampered = valid.substring(0, valid.length() - 1) + (last == 'x' ? 'y' : 'x');
        bearer(tampered).get("/api/v1/experiments").then().statusCode(401);
        bearer("not-a-token").get("/api/v1/experiments").then().statusCode(401);
        userService.update("erin", Optional.empty(), Optional.empty(), Optional.of(true), Optional.empty());
        bearer(valid).get("/api/v1/experiments").then().statusCode(401);
    }

    @Test
    void listingShowsUseButNeverTheSecret() {
        String token = createToken(List.of("viewer"));
        erin().get("/api/v1/tokens").then().statusCode(200)
                .body("$", hasSize(1)).body("[0].lastUsedAt", nullValue());

        bearer(token).get("/api/v1/experiments").then().statusCode(200);

        String listing = erin().get("/api/v1/tokens").then().statusCode(200)
                .body("[0].lastUsedAt", notNullValue())
                .body("[0].roles", contains("viewer"))
                .extract().asString();
        org.assertj.core.api.Assertions.assertThat(listing).doesNotContain(token.split("_")[2]);
        as("admin", TestApi.ADMIN_PASSWORD).queryParam("owner", "*").get("/api/v1/tokens").then().statusCode(200)
                .body("owner", contains("erin"));
        erin().queryParam("owner", "admin").get("/api/v1/tokens").then().statusCode(403);
    }

    @Test
    void lastUseIsWrittenAtMostOnceAMinuteAndEachCallReadsTheTokenAndItsOwnerInOneQuery() {
        String token = createToken(List.of("viewer"));

        List<String> statements = StatementCounter.statementsEverywhereDuring(() -> {
            for (int i = 0; i < 20; i++) {
                bearer(token).get("/api/v1/experiments").then().statusCode(200);
            }
        });
        assertThat(statements).as("updates of api_token for 20 calls").filteredOn(sql -> sql.startsWith("update api_token")).hasSize(1);
        assertThat(statements).as("token look-ups for 20 calls").filteredOn(sql -> sql.startsWith("select") && sql.contains(" from api_token "))
                .hasSize(20).allSatisfy(sql -> assertThat(sql).contains(".public_id=?").contains(" join app_user "));
        assertThat(statements).as("owner look-ups apart from the token's (the token's query reads its owner too)")
                .filteredOn(sql -> sql.contains(" from app_user ")).isEmpty();

        database.execute("update api_token set last_used_at = now() - interval '50 seconds'");
        assertThat(StatementCounter.statementsEverywhereDuring(() -> bearer(token).get("/api/v1/experiments").then().statusCode(200)))
                .as("a use 50 s after the last").noneMatch(sql -> sql.startsWith("update api_token"));
        database.execute("update api_token set last_used_at = now() - interval '70 seconds'");
        assertThat(StatementCounter.statementsEverywhereDuring(() -> bearer(token).get("/api/v1/experiments").then().statusCode(200)))
                .as("a use 70 s after the last").filteredOn(sql -> sql.startsWith("update api_token")).hasSize(1);
    }

    @Test
    void tokensCannotMintTokens() {
        String token = createToken(List.of("experimenter"));
        bearer(token).contentType(ContentType.JSON).body(Map.of("name", "x", "expiresIn", "1d"))
                .post("/api/v1/tokens").then().statusCode(403);
    }

    @Test
    void badRequestsNameTheField() {
        erin().body(Map.of("roles", List.of("viewer", "superuser"), "expiresIn", "forever"))
                .post("/api/v1/tokens")
                .then().statusCode(400).contentType(TestApi.PROBLEM)
                .body("errors.path", contains("name", "roles[1]", "expiresIn"));
        erin().body(Map.of("name", "x", "expiresIn", "400d")).post("/api/v1/tokens")
                .then().statusCode(400).body("errors[0].message", containsString("at most"));
        erin().body(Map.of("name", "x", "expiresIn", "1d", "scope", "all")).post("/api/v1/tokens")
                .then().statusCode(400).contentType(TestApi.PROBLEM).body("errors[0].path", equalTo("scope"));
        erin().body(Map.of("name", "x")).post("/api/v1/tokens")
                .then().statusCode(400).body("errors[0].path", equalTo("expiresIn"))
                .body("errors[0].message", not(containsString("null")));
    }
}

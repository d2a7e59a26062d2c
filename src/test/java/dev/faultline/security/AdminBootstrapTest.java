package dev.faultline.security;

import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The first admin, as an operator meets it: created on a database without an enabled admin, and
 * never again once other admins exist. Each start runs the bootstrap; these tests run it again as a
 * restart would.
 */
@QuarkusTest
class AdminBootstrapTest {

    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;
    @Inject
    UserService userService;
    @Inject
    AdminBootstrap bootstrap;

    @BeforeEach
    void clean() {
        database.clear();
    }

    /** Every other test signs in as admin: put it back as the test profile's bootstrap made it. */
    @AfterEach
    void restoreAdmin() {
        if (userService.find(AdminBootstrap.ADMIN).isEmpty()) {
            userService.create(AdminBootstrap.ADMIN, TestApi.ADMIN_PASSWORD, Set.of(Role.ADMIN), List.of("*"), "faultline");
        }
        database.clear();
    }

    @Test
    void adminDeletedWhileAnotherAdminRemainsStaysDeletedAfterARestart() {
        users.create("root", List.of("*"), Role.ADMIN);
        as("root", TestUsers.password("root")).delete("/api/v1/users/admin").then().statusCode(204);

        bootstrap.createFirstAdmin(null);

        as("root", TestUsers.password("root")).get("/api/v1/users/admin").then().statusCode(404);
        asAdmin().get("/api/v1/me").then().statusCode(401);
    }

    @Test
    void aDatabaseWithoutAnyEnabledAdminGetsAdminBackWithTheConfiguredPassword() {
        database.execute("delete from app_user");

        bootstrap.createFirstAdmin(null);

        asAdmin().get("/api/v1/me").then().statusCode(200).body("username", equalTo("admin")).body("roles", org.hamcrest.Matchers.hasItem("admin"));
        asAdmin().get("/api/v1/users/admin").then().statusCode(200).body("createdBy", equalTo("faultline")).body("namespaces", contains("*"));
        bootstrap.createFirstAdmin(null);
        asAdmin().get("/api/v1/users").then().statusCode(200).body("username", contains("admin"));
    }

    @Test
    void anExistingAccountNamedAdminIsNeverChanged() {
        users.create("root", List.of("*"), Role.ADMIN);
        as("root", TestUsers.password("root")).contentType("application/json").body("{\"roles\": [\"viewer\"]}")
                .patch("/api/v1/users/admin").then().statusCode(200);
        database.execute("update app_user set disabled = true where username = 'root'");

        bootstrap.createFirstAdmin(null);

        asAdmin().get("/api/v1/me").then().statusCode(200).body("roles", contains("viewer"));
    }
}

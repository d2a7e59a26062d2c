package dev.faultline.security;

import static dev.faultline.testing.FromAddress.from;
import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.testing.PasswordChecks;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestSecrets;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * HTTP Basic on every request, as a pipeline sends it, costs one bcrypt a minute rather than one a
 * request; and whatever changes the account (a new password, disabling, deleting, other roles) still
 * applies at the next request, also when another replica made it (written straight to the database
 * here, as that replica would).
 */
@QuarkusTest
class SignInCostTest {

    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;

    @BeforeEach
    void clean() {
        database.clear();
    }

    @Test
    void fiftyBasicRequestsWithTheSamePasswordCostOneBcryptCheck() {
        users.create("piet", List.of("bookinfo"), Role.VIEWER);
        double before = PasswordChecks.count();

        for (int i = 0; i < 50; i++) {
            as("piet", TestUsers.password("piet")).get("/api/v1/experiments").then().statusCode(200);
        }

        assertThat(PasswordChecks.count() - before).as("bcrypt checks for 50 requests with one password").isEqualTo(1);
    }

    @Test
    void parallelBasicRequestsWithTheSamePasswordShareOneBcryptCheck() throws Exception {
        users.create("vera", List.of("bookinfo"), Role.VIEWER);
        // signed in once from here (so parallel attempts are not taken for guessing), then a password not yet confirmed
        as("vera", TestUsers.password("vera")).get("/api/v1/me").then().statusCode(200);
        String changed = TestSecrets.remember("vera-changed-elsewhere-0042");
        database.execute("update app_user set password_hash = '" + Passwords.hash(changed) + "' where username = 'vera'");
        double before = PasswordChecks.count();
        ExecutorService pipeline = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                statuses.add(pipeline.submit(() -> {
                    start.await();
                    return as("vera", changed).get("/api/v1/me").statusCode();
                }));
            }
            start.countDown();
            for (Future<Integer> status : statuses) {
                assertThat(status.get(60, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            pipeline.shutdownNow();
        }
        assertThat(PasswordChecks.count() - before).as("bcrypt checks for 16 requests, 8 at a time, with one password").isEqualTo(1);
    }

    @Test
    void aChangedPasswordIsRefusedAtTheNextRequestAndTheNewOneSignsIn() {
        users.create("quinn", List.of(), Role.VIEWER);
        String old = TestUsers.password("quinn");
        as("quinn", old).get("/api/v1/me").then().statusCode(200);
        String changed = TestSecrets.remember("quinn-changed-it-0042");

        as("quinn", old).contentType(ContentType.JSON).body(Map.of("currentPassword", old, "newPassword", changed))
                .put("/api/v1/me/password").then().statusCode(204);
        as("quinn", old).get("/api/v1/me").then().statusCode(401);
        as("quinn", changed).get("/api/v1/me").then().statusCode(200);

        String reset = TestSecrets.remember("quinn-reset-by-admin-0042");
        admin().body(Map.of("password", reset)).patch("/api/v1/users/quinn").then().statusCode(200);
        as("quinn", changed).get("/api/v1/me").then().statusCode(401);
        as("quinn", reset).get("/api/v1/me").then().statusCode(200);
    }

    @Test
    void aPasswordChangedOrAUserDisabledByAnotherReplicaIsRefusedAtTheNextRequest() {
        users.create("rosa", List.of(), Role.VIEWER);
        String old = TestUsers.password("rosa");
        as("rosa", old).get("/api/v1/me").then().statusCode(200);
        String changed = TestSecrets.remember("rosa-changed-elsewhere-0042");

        database.execute("update app_user set password_hash = '" + Passwords.hash(changed) + "' where username = 'rosa'");
        as("rosa", old).get("/api/v1/me").then().statusCode(401);
        as("rosa", changed).get("/api/v1/me").then().statusCode(200);

        database.execute("update app_user set disabled = true where username = 'rosa'");
        as("rosa", changed).get("/api/v1/me").then().statusCode(401);
    }

    @Test
    void aDisabledUserIsRefusedAtTheNextRequest() {
        users.create("sven", List.of(), Role.VIEWER);
        as("sven", TestUsers.password("sven")).get("/api/v1/me").then().statusCode(200);

        admin().body(Map.of("disabled", true)).patch("/api/v1/users/sven").then().statusCode(200);

        as("sven", TestUsers.password("sven")).get("/api/v1/me").then().statusCode(401);
    }

    @Test
    void aDeletedUserIsRefusedAtTheNextRequestAlsoWhenRecreatedWithTheSamePassword() {
        users.create("tess", List.of(), Role.VIEWER);
        as("tess", TestUsers.password("tess")).get("/api/v1/me").then().statusCode(200);

        asAdmin().delete("/api/v1/users/tess").then().statusCode(204);
        as("tess", TestUsers.password("tess")).get("/api/v1/me").then().statusCode(401);

        users.create("tess", List.of(), Role.VIEWER);
        double before = PasswordChecks.count();
        as("tess", TestUsers.password("tess")).get("/api/v1/me").then().statusCode(200);
        assertThat(PasswordChecks.count() - before).as("a new account's password is checked afresh").isEqualTo(1);
    }

    @Test
    void aDemotedUserLosesTheRoleAtTheNextRequest() {
        users.create("ugo", List.of("bookinfo"), Role.EXPERIMENTER);
        as("ugo", TestUsers.password("ugo")).get("/api/v1/me").then().statusCode(200).body("roles", hasItem("experimenter"));

        admin().body(Map.of("roles", List.of("viewer"))).patch("/api/v1/users/ugo").then().statusCode(200);

        as("ugo", TestUsers.password("ugo")).get("/api/v1/me").then().statusCode(200)
                .body("roles", contains("viewer")).body("roles", not(hasItem("experimenter")));
    }

    @Test
    void wrongPasswordsAreAlwaysCheckedAndStillMakeAVerifiedPasswordWait() {
        users.create("vito", List.of(), Role.VIEWER);
        String address = "127.0.3.1";
        from(address, "vito", TestUsers.password("vito")).get("/api/v1/me").then().statusCode(200);
        double before = PasswordChecks.count();

        for (int i = 0; i < 5; i++) {
            from(address, "vito", TestSecrets.remember("Guess-vito-" + i + "-Pw")).get("/api/v1/me").then().statusCode(401);
        }
        assertThat(PasswordChecks.count() - before).as("every wrong password costs a bcrypt").isEqualTo(5);

        from(address, "vito", TestUsers.password("vito")).get("/api/v1/me").then().statusCode(429);
        pause(700);
        from(address, "vito", TestUsers.password("vito")).get("/api/v1/me").then().statusCode(200);
        assertThat(PasswordChecks.count() - before).as("the verified password, once the wait is over, costs none").isEqualTo(5);
    }

    private static RequestSpecification admin() {
        return asAdmin().contentType(ContentType.JSON);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

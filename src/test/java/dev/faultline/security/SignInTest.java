package dev.faultline.security;

import static dev.faultline.testing.FromAddress.formSignIn;
import static dev.faultline.testing.FromAddress.from;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.testing.AuditEntries;
import dev.faultline.testing.PasswordChecks;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestSecrets;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Sign-in that resists guessing, as a guesser and the people he aims at meet it: over HTTP Basic and
 * the browser's sign-in form (posted as a script would), each test from loopback addresses of its
 * own (127.x.y.z), since the counts live as long as the application. The test profile waits 0.5 s
 * at first, doubling up to 2 s.
 */
@QuarkusTest
class SignInTest {

    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;

    private Instant testStart;

    @BeforeEach
    void clean() {
        database.clear();
        testStart = Instant.now();
    }

    @Test
    void wrongPasswordsForOneNameAnswer429ThereWithoutBeingCheckedWhileOthersSignIn() {
        users.create("alba", List.of(), Role.VIEWER);
        users.create("boris", List.of(), Role.VIEWER);
        String guesser = "127.0.0.11";
        double checksBefore = PasswordChecks.count();

        List<Response> answers = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            answers.add(from(guesser, "alba", guess("alba", i)).get("/api/v1/me"));
        }

        List<Integer> statuses = answers.stream().map(Response::statusCode).toList();
        assertThat(statuses.subList(0, 5)).as("the first five are checked").containsOnly(401);
        assertThat(statuses).containsOnly(401, 429);
        List<Response> refused = answers.stream().filter(answer -> answer.statusCode() == 429).toList();
        assertThat(refused).as("answers: %s", statuses).hasSizeGreaterThanOrEqualTo(15);
        assertThat(refused).allSatisfy(answer -> assertThat(Long.parseLong(answer.header("Retry-After"))).isBetween(1L, 2L));
        refused.get(0).then().contentType(TestApi.PROBLEM)
                .body("type", endsWith("/too-many-sign-ins"))
                .body("status", equalTo(429))
                .body("detail", containsString("Too many failed sign-ins for this name or address; try again in "))
                .body("instance", equalTo("/api/v1/me"));
        assertThat(PasswordChecks.count() - checksBefore).as("a refused attempt costs no bcrypt: only the 401s were checked")
                .isEqualTo(statuses.stream().filter(status -> status == 401).count());

        from(guesser, "boris", TestUsers.password("boris")).get("/api/v1/me").then().statusCode(200).body("username", equalTo("boris"));
        from("127.0.0.12", "alba", TestUsers.password("alba")).get("/api/v1/me").then().statusCode(200);
    }

    @Test
    void wrongPasswordsThroughTheFormSendTheGuesserBackToWaitWhileOthersSignIn() {
        users.create("carla", List.of(), Role.VIEWER);
        users.create("dario", List.of(), Role.VIEWER);
        String guesser = "127.0.0.13";

        List<String> locations = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            locations.add(formSignIn(guesser, "carla", guess("carla", i)).header("Location"));
        }

        assertThat(locations.subList(0, 5)).allSatisfy(location -> assertThat(location).endsWith("/login?error"));
        assertThat(locations).allSatisfy(location -> assertThat(location).matches(".*/login\\?(error|throttled=[12])"));
        assertThat(locations.stream().filter(location -> location.contains("throttled="))).hasSizeGreaterThanOrEqualTo(15);

        Response signedIn = formSignIn(guesser, "dario", TestUsers.password("dario"));
        assertThat(signedIn.header("Location")).doesNotContain("/login");
        given().cookies(signedIn.cookies()).get("/api/v1/me").then().statusCode(200).body("username", equalTo("dario"));
        assertThat(formSignIn("127.0.0.14", "carla", TestUsers.password("carla")).header("Location")).doesNotContain("/login");
    }

    @Test
    void parallelGuessesGetNoMoreChecksThanOneAfterTheOtherWhileATrustedPairsParallelCallsAllPass() {
        users.create("kai", List.of(), Role.VIEWER);
        users.create("lena", List.of(), Role.VIEWER);

        List<Integer> guesses = inParallel(25, i -> from("127.0.0.21", "kai", guess("kai", i)).get("/api/v1/me").statusCode());
        assertThat(guesses).containsOnly(401, 429);
        assertThat(guesses.stream().filter(status -> status == 401)).as("checked guesses: %s", guesses).hasSizeLessThanOrEqualTo(5);

        from("127.0.0.22", "lena", TestUsers.password("lena")).get("/api/v1/me").then().statusCode(200);
        assertThat(inParallel(12, i -> from("127.0.0.22", "lena", TestUsers.password("lena")).get("/api/v1/me").statusCode()))
                .containsOnly(200);
    }

    @Test
    void theWaitDoublesUpToItsMaximumEndsAndASuccessStartsTheCountAfresh() {
        users.create("elio", List.of(), Role.VIEWER);
        String from = "127.0.0.15";
        for (int i = 0; i < 5; i++) {
            from(from, "elio", guess("elio", i)).get("/api/v1/me").then().statusCode(401);
        }
        String retryAfter = from(from, "elio", TestUsers.password("elio")).get("/api/v1/me").then().statusCode(429)
                .header("Retry-After", "1").extract().header("Retry-After");

        for (String wait : List.of("1", "2", "2")) {
            pause(Long.parseLong(retryAfter) * 1000 + 100);
            from(from, "elio", guess("elio", 9)).get("/api/v1/me").then().statusCode(401);
            retryAfter = from(from, "elio", guess("elio", 10)).get("/api/v1/me").then().statusCode(429).header("Retry-After", wait)
                    .extract().header("Retry-After");
        }

        pause(2_100);
        from(from, "elio", TestUsers.password("elio")).get("/api/v1/me").then().statusCode(200);
        for (int i = 0; i < 5; i++) {
            from(from, "elio", guess("elio", i)).get("/api/v1/me").then().statusCode(401);
        }
        from(from, "elio", guess("elio", 5)).get("/api/v1/me").then().statusCode(429).header("Retry-After", "1");
    }

    @Test
    void anUnknownNameCostsABcryptCheckAndAboutAsLongAsAWrongPassword() {
        users.create("fabio", List.of(), Role.VIEWER);
        double before = PasswordChecks.count();
        from("127.0.0.16", "nobody-by-this-name", guess("nobody", 0)).get("/api/v1/me").then().statusCode(401);
        assertThat(PasswordChecks.count() - before).as("bcrypt checks for one unknown name").isEqualTo(1);

        List<Long> unknown = new ArrayList<>();
        List<Long> wrong = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            unknown.add(from("127.0.0.17", "nobody-by-this-name", guess("nobody", i)).get("/api/v1/me").then().statusCode(401)
                    .extract().time());
            wrong.add(from("127.0.0.18", "fabio", guess("fabio", i)).get("/api/v1/me").then().statusCode(401).extract().time());
        }
        assertThat(median(unknown)).as("ms to refuse an unknown name %s, a wrong password %s", unknown, wrong)
                .isGreaterThanOrEqualTo(median(wrong) / 2);
    }

    @Test
    void oneNameGuessedFromManyAddressesWaitsWhereItsOwnerNeverSignedInButNotWhereTheyDid() {
        users.create("gemma", List.of(), Role.VIEWER);
        String owners = "127.0.0.19";
        from(owners, "gemma", TestUsers.password("gemma")).get("/api/v1/me").then().statusCode(200);

        for (int i = 1; i <= 20; i++) {
            from("127.0.1." + i, "gemma", guess("gemma", i)).get("/api/v1/me").then().statusCode(401);
        }

        from("127.0.1.21", "gemma", TestUsers.password("gemma")).get("/api/v1/me").then().statusCode(429);
        from(owners, "gemma", TestUsers.password("gemma")).get("/api/v1/me").then().statusCode(200);
    }

    @Test
    void manyNamesSprayedFromOneAddressWaitThereExceptNamesThatSignedInThere() {
        users.create("hugo", List.of(), Role.VIEWER);
        users.create("ilse", List.of(), Role.VIEWER);
        String sprayer = "127.0.2.1";
        from(sprayer, "hugo", TestUsers.password("hugo")).get("/api/v1/me").then().statusCode(200);

        for (int i = 1; i <= 20; i++) {
            from(sprayer, "sprayed-" + i, guess("spray", 0)).get("/api/v1/me").then().statusCode(401);
        }

        from(sprayer, "ilse", TestUsers.password("ilse")).get("/api/v1/me").then().statusCode(429);
        from(sprayer, "hugo", TestUsers.password("hugo")).get("/api/v1/me").then().statusCode(200);
        from("127.0.2.2", "ilse", TestUsers.password("ilse")).get("/api/v1/me").then().statusCode(200);
    }

    @Test
    void formSignInsAndFailedBasicOnesAreAuditedWithNameAddressAndOutcomeButNoPassword() {
        users.create("jana", List.of(), Role.VIEWER);
        String from = "127.0.0.20";
        String wrong = guess("jana", 0);

        assertThat(formSignIn(from, "jana", wrong).header("Location")).endsWith("/login?error");
        assertThat(formSignIn(from, "jana", TestUsers.password("jana")).header("Location")).doesNotContain("/login");
        from(from, "jana", wrong).get("/api/v1/me").then().statusCode(401);
        from(from, "jana", TestUsers.password("jana")).get("/api/v1/me").then().statusCode(200);

        List<Map<String, Object>> entries = AuditEntries.await("operation=user.signin&actor=jana", testStart, list -> list.size() >= 3);
        assertThat(entries).hasSize(3);
        assertThat(entries.get(2)).containsEntry("via", "ui").containsEntry("status", 401).containsEntry("outcome", "DENIED")
                .containsEntry("source", from).containsEntry("signedInWith", "password").containsEntry("target", "user/jana")
                .containsEntry("method", "POST").containsEntry("path", "/j_security_check")
                .containsEntry("detail", "wrong user name or password");
        assertThat(entries.get(1)).containsEntry("via", "ui").containsEntry("status", 200).containsEntry("outcome", "SUCCEEDED")
                .containsEntry("source", from).containsEntry("detail", null);
        assertThat(entries.get(0)).as("a failed HTTP Basic sign-in; a successful one is not recorded").containsEntry("via", "api")
                .containsEntry("status", 401).containsEntry("method", "GET").containsEntry("path", "/api/v1/me");
        assertThat(entries.toString()).doesNotContain(wrong, TestUsers.password("jana"));

        for (int i = 1; i <= 5; i++) {
            assertThat(formSignIn(from, "jana", guess("jana", i)).header("Location")).endsWith("/login?error");
        }
        for (int i = 0; i < 3; i++) {
            assertThat(formSignIn(from, "jana", guess("jana", 5 + i)).header("Location")).contains("/login?throttled=");
        }
        Map<String, Object> refusal = AuditEntries.awaitEntry("operation=user.signin&actor=jana", testStart,
                entry -> entry.get("status").equals(429));
        assertThat(refusal).containsEntry("outcome", "DENIED").containsEntry("via", "ui").containsEntry("source", from);
        assertThat((String) refusal.get("detail")).startsWith("Too many failed sign-ins for this name or address; try again in ");
        assertThat(AuditEntries.search("operation=user.signin&actor=jana&from=" + testStart))
                .as("one entry for the refusals of one wait").filteredOn(entry -> entry.get("status").equals(429)).hasSize(1);
    }

    private static String guess(String username, int i) {
        return TestSecrets.remember("Guess-" + username + "-" + i + "-Pw");
    }

    /** {@code count} calls at once (released together), with their statuses. */
    private static List<Integer> inParallel(int count, IntFunction<Integer> call) {
        ExecutorService threads = Executors.newFixedThreadPool(count);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                calls.add(threads.submit(() -> {
                    start.await();
                    return call.apply(index);
                }));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> answer : calls) {
                statuses.add(answer.get(60, TimeUnit.SECONDS));
            }
            return statuses;
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError(e);
        } finally {
            threads.shutdownNow();
        }
    }

    private static long median(List<Long> values) {
        return values.stream().sorted().toList().get(values.size() / 2);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

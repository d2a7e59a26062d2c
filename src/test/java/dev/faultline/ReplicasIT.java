package dev.faultline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


import dev.faultline.testing.PackagedServer;
import dev.faultline.testing.Replicas;
import dev.faultline.testing.StandaloneBookinfo;
import dev.faultline.testing.StoppableDatabase;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestSecrets;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * Two packaged Faultline instances on one PostgreSQL, as two replicas of the Deployment run: a
 * schedule fires once per fire time across both, and when one instance is killed (SIGKILL) while
 * its run is OBSERVING, the other removes the rule and ends the run ABORTED ("owner lost").
 */
class ReplicasIT {

    private static final String PASSWORD = TestSecrets.remember("replicas-admin-Secret-0077");
    private static StoppableDatabase database;

    @TempDir
    static Path databaseDir;
    @TempDir
    Path dataDir;

    private Replicas replicas;
    private StandaloneBookinfo mesh;

    @BeforeAll
    static void startDatabase() {
        TestApi.sendYamlAsText();
        database = StoppableDatabase.start(databaseDir.resolve("pg"));
    }

    @AfterAll
    static void stopDatabase() {
        database.close();
    }

    @BeforeEach
    void startCluster() {
        replicas = Replicas.on(database, dataDir, PASSWORD);
        mesh = replicas.mesh();
    }

    @AfterEach
    void stopCluster() {
        replicas.close();
    }

    private PackagedServer start(String instance) {
        return replicas.start(instance);
    }

    private RequestSpecification admin(PackagedServer server) {
        return replicas.admin(server);
    }

    private void experiment(PackagedServer server, String name, String duration) {
        replicas.experiment(server, name, duration, "");
    }

    @Test
    void aScheduleFiringEveryThreeSecondsForAMinuteStartsExactlyOneRunPerFire() {
        try (PackagedServer a = start("replica-a"); PackagedServer b = start("replica-b")) {
            experiment(a, "every-fire", "1s");
            admin(a).contentType(ContentType.JSON).body(Map.of("experiment", "every-fire", "cron", "0/3 * * * * ?"))
                    .put("/api/v1/schedules/every-three-seconds").then().statusCode(201);
            sleep(Duration.ofSeconds(60));
            admin(b).post("/api/v1/schedules/every-three-seconds/pause").then().statusCode(200);
            sleep(Duration.ofSeconds(4));

            JsonPath schedule = JsonPath.from(admin(b).get("/api/v1/schedules/every-three-seconds").then().statusCode(200)
                    .extract().asString());
            List<Map<String, Object>> fires = schedule.getList("history");
            List<String> scheduledFor = fires.stream().map(f -> (String) f.get("scheduledFor")).sorted().toList();
            assertThat(fires).as("a fire every 3 s for a minute").hasSizeBetween(19, 22);
            assertThat(new HashSet<>(scheduledFor)).as("one record per fire time").hasSameSizeAs(scheduledFor);
            for (int i = 1; i < scheduledFor.size(); i++) {
                assertThat(Duration.between(Instant.parse(scheduledFor.get(i - 1)), Instant.parse(scheduledFor.get(i))))
                        .as("no fire missed or doubled").isEqualTo(Duration.ofSeconds(3));
            }
            assertThat(fires).as("every fire started its run").allSatisfy(f -> assertThat(f.get("run")).isNotNull());

            List<Map<String, Object>> runs = JsonPath.from(admin(a).get("/api/v1/runs?experiment=every-fire&limit=1000").then()
                    .statusCode(200).extract().asString()).getList("$");
            assertThat(runs).as("exactly one run per fire, across both instances").hasSameSizeAs(fires);
            assertThat(runs).extracting(r -> r.get("id")).containsExactlyInAnyOrderElementsOf(fires.stream().map(f -> f.get("run")).toList());
            Map<Object, Long> byInstance = new TreeMap<>();
            fires.forEach(f -> byInstance.merge(f.get("instance"), 1L, Long::sum));
            System.out.printf("ReplicasIT: %d fires in 60 s, %d runs, fires per instance %s%n", fires.size(), runs.size(), byInstance);
            assertThat(mesh.reviews().path("spec")).isEqualTo(mesh.originalReviews().path("spec"));
        }
    }

    @Test
    void whenTheInstanceRunningAnExperimentIsKilledTheOtherRemovesItsRuleAndEndsItWithinFifteenSeconds() {
        try (PackagedServer a = start("replica-a"); PackagedServer b = start("replica-b")) {
            experiment(a, "long-run", "10m");
            String id = admin(a).contentType(ContentType.JSON).body("{}").post("/api/v1/experiments/long-run/runs").then()
                    .statusCode(202).extract().path("id");
            a.awaitRunState(admin(a), id, "OBSERVING");
            assertThat(mesh.reviews().path("spec").path("http").toString())
                    .contains("faultline-" + id);

            long killed = System.nanoTime();
            a.kill();
            long ruleGone = -1;
            long aborted = -1;
            long deadline = killed + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && (ruleGone < 0 || aborted < 0)) {
                if (ruleGone < 0 && mesh.reviews().path("spec").equals(mesh.originalReviews().path("spec"))) {
                    ruleGone = System.nanoTime();
                }
                if (aborted < 0 && "ABORTED".equals(admin(b).get("/api/v1/runs/" + id).then().extract().path("state"))) {
                    aborted = System.nanoTime();
                }
                sleep(Duration.ofMillis(100));
            }
            assertThat(ruleGone).as("the survivor removed the rule").isPositive();
            assertThat(aborted).as("the survivor ended the run").isPositive();
            Duration toRemoval = Duration.ofNanos(ruleGone - killed);
            Duration toAbort = Duration.ofNanos(aborted - killed);
            System.out.printf("ReplicasIT: owner killed -> rule removed in %d ms, run ABORTED in %d ms%n", toRemoval.toMillis(),
                    toAbort.toMillis());
            assertThat(toAbort).isLessThanOrEqualTo(Duration.ofSeconds(15));
            JsonPath run = JsonPath.from(admin(b).get("/api/v1/runs/" + id).then().statusCode(200).extract().asString());
            assertThat(run.getString("reason")).isEqualTo("owner lost");
            assertThat(run.getList("rules.removedAt")).doesNotContainNull();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.faultline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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


import dev.faultline.testing.StandaloneBookinfo;
import dev.faultline.testing.PackagedServer;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestSecrets;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Two packaged Faultline instances on one PostgreSQL, as two replicas of the Deployment run: a
 * schedule fires once per fire time across both, and when one instance is killed (SIGKILL) while
 * its run is OBSERVING, the other removes the rule and ends the run ABORTED ("owner lost").
 */
class ReplicasIT {

    private static final String PASSWORD = TestSecrets.remember("replicas-admin-Secret-0077");
    private static EmbeddedPostgres database;

    @TempDir
    Path dataDir;

    private StandaloneBookinfo mesh;
    private String databaseName;
    private static int databases;

    @BeforeAll
    static void startDatabase() throws IOException {
        TestApi.sendYamlAsText();
        database = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopDatabase() throws IOException {
        database.close();
    }

    @BeforeEach
    void startCluster() throws Exception {
        databaseName = "replicas" + (++databases);
        try (var connection = database.getPostgresDatabase().getConnection(); var statement = connection.createStatement()) {
            statement.execute("create database " + databaseName);
        }
        mesh = StandaloneBookinfo.start();
    }

    @AfterEach
    void stopCluster() {
        mesh.close();
    }

    private PackagedServer start(String instance) {
        Map<String, String> config = new HashMap<>(Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + database.getPort() + "/" + databaseName,
                "quarkus.datasource.username", "postgres",
                "faultline.data-dir", dataDir.resolve(instance).toString(),
                "faultline.admin.password", PASSWORD,
                "faultline.instance-id", instance,
                "faultline.policy.allowed-namespaces", "bookinfo",
                "faultline.run.settle-time", "PT0.1S"));
        config.putAll(mesh.serverConfig());
        return PackagedServer.start(config, dataDir.resolve(instance + ".log"));
    }

    private static RequestSpecification admin(PackagedServer server) {
        return TestApi.as("admin", PASSWORD).baseUri(server.baseUri().toString());
    }

    private void experiment(PackagedServer server, String name, String duration) {
        String yaml = """
                apiVersion: faultline.dev/v1
                kind: Experiment
                metadata: { name: %s }
                spec:
                  target: { namespace: bookinfo, service: reviews }
                  faults:
                    - abort: { httpStatus: 503, percentage: 50 }
                  duration: %s
                  guardrails:
                    - name: something answers
                      http: { url: "http://127.0.0.1:%d/", expectStatus: 200 }
                      interval: 500ms
                """.formatted(name, duration, mesh.healthyPort());
        admin(server).contentType(TestApi.YAML).body(yaml).put("/api/v1/experiments/" + name).then().statusCode(201);
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

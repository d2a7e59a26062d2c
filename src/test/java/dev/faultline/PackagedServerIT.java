package dev.faultline;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.faultline.database.EmbeddedPostgres;
import dev.faultline.testing.PackagedServer;
import dev.faultline.testing.TestApi;

/** The packaged jar, run as users run it: with its own PostgreSQL, or with an external one. */
class PackagedServerIT {

    private static final Pattern GENERATED_PASSWORD = Pattern.compile("the generated password (\\S+) ;");

    @TempDir
    Path dataDir;

    @BeforeAll
    static void sendYamlAsText() {
        TestApi.sendYamlAsText();
    }

    @Test
    void storesExamplesInItsEmbeddedDatabaseAcrossRestarts() throws IOException {
        List<Path> examples;
        try (Stream<Path> files = Files.list(Path.of("experiments"))) {
            examples = files.sorted().toList();
        }
        Map<String, String> config = Map.of("faultline.data-dir", dataDir.toString());
        String password;

        try (PackagedServer server = PackagedServer.start(config, dataDir.resolve("first.log"))) {
            Matcher generated = GENERATED_PASSWORD.matcher(server.log());
            assertThat(generated.find()).as("the generated admin password is printed on first start").isTrue();
            password = generated.group(1);
            given().baseUri(server.baseUri().toString()).get("/api/v1/experiments").then().statusCode(401);
            for (Path example : examples) {
                TestApi.as("admin", password).baseUri(server.baseUri().toString()).contentType(TestApi.YAML)
                        .body(Files.readString(example))
                        .when().post("/api/v1/experiments")
                        .then().statusCode(201);
            }
            assertThat(server.log()).contains("Embedded PostgreSQL ready");
        }

        try (PackagedServer restarted = PackagedServer.start(config, dataDir.resolve("second.log"))) {
            assertThat(restarted.log()).as("the password is shown once only").doesNotContain(password);
            TestApi.as("admin", password).baseUri(restarted.baseUri().toString())
                    .when().get("/api/v1/experiments")
                    .then().statusCode(200)
                    .body("metadata.name", contains(examples.stream()
                            .map(p -> p.getFileName().toString().replace(".yaml", "")).toArray()));
            TestApi.as("admin", password).baseUri(restarted.baseUri().toString())
                    .when().get("/api/v1/experiments/reviews-v2-latency")
                    .then().statusCode(200).body("status.revision", equalTo(1));
        }
    }

    @Test
    void usesAnExternalDatabaseWhenItsUrlIsSetAndStartsNoneOfItsOwn() throws SQLException {
        // An "external" server: a PostgreSQL this test starts, in a directory the app does not know.
        EmbeddedPostgres external = EmbeddedPostgres.start(dataDir.resolve("external/postgres"), 0);
        Path appDataDir = dataDir.resolve("app");
        Map<String, String> config = Map.of(
                "faultline.data-dir", appDataDir.toString(),
                "quarkus.datasource.jdbc.url", external.jdbcUrl(),
                "faultline.admin.password", "external-Admin-Pw-1");

        try (PackagedServer server = PackagedServer.start(config, dataDir.resolve("external.log"))) {
            assertThat(server.log()).doesNotContain("external-Admin-Pw-1");
            TestApi.as("admin", "external-Admin-Pw-1").baseUri(server.baseUri().toString()).contentType(TestApi.YAML)
                    .body(dev.faultline.testing.Examples.yaml("ratings-abort-jason"))
                    .when().post("/api/v1/experiments")
                    .then().statusCode(201);
            assertThat(server.log()).doesNotContain("Embedded PostgreSQL ready");
        }

        assertThat(appDataDir.resolve("postgres")).doesNotExist();
        try (var connection = DriverManager.getConnection(external.jdbcUrl());
                var rows = connection.createStatement().executeQuery("select name from experiment")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("ratings-abort-jason");
        }
    }
}

package dev.faultline.testing;

import static io.restassured.config.EncoderConfig.encoderConfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/** rest-assured set up to send YAML bodies as text, as curl or a CI job would. */
public final class TestApi {

    public static final String YAML = "application/yaml";
    public static final String PROBLEM = "application/problem+json";
    /** faultline.admin.password in the test profile. */
    public static final String ADMIN_PASSWORD = "test-admin-Secret-0001";

    private TestApi() {
    }

    /** A request signed in with HTTP Basic as {@code admin}. */
    public static RequestSpecification asAdmin() {
        return as("admin", TestSecrets.remember(ADMIN_PASSWORD));
    }

    public static RequestSpecification as(String username, String password) {
        return RestAssured.given().auth().preemptive().basic(username, password);
    }

    public static void sendYamlAsText() {
        RestAssured.config = RestAssured.config().encoderConfig(encoderConfig()
                .encodeContentTypeAs(YAML, ContentType.TEXT)
                .encodeContentTypeAs("application/x-yaml", ContentType.TEXT));
    }

    /** The run once its timeline has an entry of {@code type} (a recovery is followed after the run ended), within 15 s. */
    public static JsonPath awaitTimeline(String id, String type) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            JsonPath run = JsonPath.from(asAdmin().get("/api/v1/runs/" + id).then().statusCode(200).extract().asString());
            if (run.getList("timeline.type").contains(type) || System.nanoTime() > deadline) {
                assertThat(run.getList("timeline.type")).as("the timeline of run " + id).contains(type);
                return run;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}

package dev.faultline.testing;

import static io.restassured.config.EncoderConfig.encoderConfig;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
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
}

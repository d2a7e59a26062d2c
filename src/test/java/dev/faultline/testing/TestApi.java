package dev.faultline.testing;

import static io.restassured.config.EncoderConfig.encoderConfig;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/** rest-assured set up to send YAML bodies as text, as curl or a CI job would. */
public final class TestApi {

    public static final String YAML = "application/yaml";
    public static final String PROBLEM = "application/problem+json";

    private TestApi() {
    }

    public static void sendYamlAsText() {
        RestAssured.config = RestAssured.config().encoderConfig(encoderConfig()
                .encodeContentTypeAs(YAML, ContentType.TEXT)
                .encodeContentTypeAs("application/x-yaml", ContentType.TEXT));
    }
}

package dev.faultline.api;

import static dev.faultline.testing.TestApi.asAdmin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** What operators and API users find at /q: health, metrics, the OpenAPI document and Swagger UI. */
@QuarkusTest
class OperationsEndpointsTest {

    @Test
    void healthIsUpWithTheDatabase() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'Database connections health check' }.status", equalTo("UP"));
    }

    @Test
    void metricsAreInPrometheusFormat() {
        asAdmin().get("/api/v1/experiments").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200)
                .contentType(anyOf(containsString("text/plain"), containsString("application/openmetrics-text")))
                .body(containsString("http_server_requests_seconds_count"))
                .body(containsString("jvm_memory_used_bytes"));
    }

    @Test
    void openApiDescribesTheExperimentsApi() {
        asAdmin().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("info.title", equalTo("Faultline API"))
                .body("paths.'/api/v1/experiments'.post.summary", equalTo("Create an experiment"))
                .body("paths.'/api/v1/experiments/{name}'.put.summary", equalTo("Create or replace an experiment (apply)"))
                .body("paths.'/api/v1/runs/{id}/samples'.get.parameters.name", org.hamcrest.Matchers.containsInAnyOrder("id", "after", "limit"))
                .body("paths.'/api/v1/runs/{id}/samples'.get.parameters.find { it.name == 'limit' }.schema.maximum", equalTo(1000))
                .body("paths.'/api/v1/runs/{id}/samples'.get.responses.'200'.headers.Link.description", containsString("after="));
        asAdmin().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
    }
}

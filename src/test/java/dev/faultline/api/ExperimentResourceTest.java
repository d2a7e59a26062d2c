package dev.faultline.api;

import static dev.faultline.testing.TestApi.asAdmin;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.testing.Examples;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class ExperimentResourceTest {

    static final String YAML = TestApi.YAML;
    static final String PROBLEM = TestApi.PROBLEM;

    @Inject
    TestDatabase database;

    @BeforeAll
    static void sendYamlAsText() {
        TestApi.sendYamlAsText();
    }

    @BeforeEach
    void emptyDatabase() {
        database.clear();
    }

    @Test
    void createsFromYamlAndReadsBackInJsonAndYaml() {
        String document = Examples.yaml("reviews-v2-latency");

        asAdmin().contentType(YAML).body(document)
                .when().post("/api/v1/experiments")
                .then().statusCode(201)
                .header("Location", endsWith("/api/v1/experiments/reviews-v2-latency"))
                .body("metadata.name", equalTo("reviews-v2-latency"))
                .body("spec.faults[0].delay.fixedDelay", equalTo("2s"))
                .body("status.revision", equalTo(1))
                .body("status.createdBy", equalTo("admin"));

        asAdmin().accept(ContentType.JSON)
                .when().get("/api/v1/experiments/reviews-v2-latency")
                .then().statusCode(200)
                .body("spec.guardrails[0].goldenSignal.signal", equalTo("errorRate"))
                .body("spec.guardrails[0].tolerance.below", equalTo(0.05f));

        String yaml = asAdmin().accept(YAML)
                .when().get("/api/v1/experiments/reviews-v2-latency")
                .then().statusCode(200).contentType(startsWith(YAML))
                .extract().asString();
        assertEquals(ExperimentCodec.decode(document, DocumentFormat.YAML), ExperimentCodec.decode(yaml, DocumentFormat.YAML),
                "the YAML read back (status included) is the document that was sent");
    }

    @Test
    void createsFromJson() {
        String json = ExperimentCodec.encode(ExperimentCodec.decode(Examples.yaml("ratings-abort-jason"), DocumentFormat.YAML),
                DocumentFormat.JSON);

        asAdmin().contentType(ContentType.JSON).body(json)
                .when().post("/api/v1/experiments")
                .then().statusCode(201)
                .body("spec.target.match.headers.end-user.exact", equalTo("jason"));
    }

    @Test
    void creatingATakenNameIsAConflict() {
        asAdmin().contentType(YAML).body(Examples.yaml("ratings-abort-jason")).post("/api/v1/experiments").then().statusCode(201);

        asAdmin().contentType(YAML).body(Examples.yaml("ratings-abort-jason"))
                .when().post("/api/v1/experiments")
                .then().statusCode(409).contentType(PROBLEM)
                .body("status", equalTo(409))
                .body("detail", containsString("already exists"));
    }

    @Test
    void listsWithTeamAndTagFilters() {
        for (String name : new String[] { "reviews-v2-latency", "ratings-abort-jason", "details-delay-http-check" }) {
            asAdmin().contentType(YAML).body(Examples.yaml(name)).post("/api/v1/experiments").then().statusCode(201);
        }
        asAdmin().contentType(YAML).body(Examples.yaml("details-delay-http-check")
                .replace("name: details-delay-http-check", "name: payments-latency").replace("team: bookinfo", "team: payments"))
                .post("/api/v1/experiments").then().statusCode(201);

        asAdmin().get("/api/v1/experiments").then().statusCode(200)
                .body("metadata.name", contains("details-delay-http-check", "payments-latency", "ratings-abort-jason",
                        "reviews-v2-latency"));
        asAdmin().queryParam("team", "payments").get("/api/v1/experiments").then()
                .body("metadata.name", contains("payments-latency"));
        asAdmin().queryParam("tag", "latency").get("/api/v1/experiments").then()
                .body("metadata.name", contains("details-delay-http-check", "payments-latency", "reviews-v2-latency"));
        asAdmin().queryParam("team", "bookinfo").queryParam("tag", "latency").get("/api/v1/experiments").then()
                .body("metadata.name", contains("details-delay-http-check", "reviews-v2-latency"));
        asAdmin().queryParam("tag", "nothing-has-this").get("/api/v1/experiments").then().body("$", empty());
    }

    @Test
    void applyCreatesReplacesAndKeepsHistory() {
        String original = Examples.yaml("details-delay-http-check");
        String changed = original.replace("fixedDelay: 1s", "fixedDelay: 1500ms");

        asAdmin().contentType(YAML).body(original).put("/api/v1/experiments/details-delay-http-check")
                .then().statusCode(201).body("status.revision", equalTo(1));
        asAdmin().contentType(YAML).body(original).put("/api/v1/experiments/details-delay-http-check")
                .then().statusCode(200).body("status.revision", equalTo(1));
        asAdmin().contentType(YAML).body(changed).put("/api/v1/experiments/details-delay-http-check")
                .then().statusCode(200).body("status.revision", equalTo(2))
                .body("spec.faults[0].delay.fixedDelay", equalTo("1s500ms"));

        asAdmin().get("/api/v1/experiments/details-delay-http-check/revisions").then().statusCode(200)
                .body("revision", contains(2, 1))
                .body("change", contains("UPDATED", "CREATED"))
                .body("changedBy", contains("admin", "admin"));
        asAdmin().get("/api/v1/experiments/details-delay-http-check/revisions/1").then().statusCode(200)
                .body("experiment.spec.faults[0].delay.fixedDelay", equalTo("1s"));
        asAdmin().get("/api/v1/experiments/details-delay-http-check/revisions/9").then().statusCode(404).contentType(PROBLEM);
    }

    @Test
    void deleteKeepsHistoryAndRecreatingContinuesIt() {
        String document = Examples.yaml("ratings-abort-jason");
        asAdmin().contentType(YAML).body(document).post("/api/v1/experiments").then().statusCode(201);

        asAdmin().delete("/api/v1/experiments/ratings-abort-jason").then().statusCode(204);
        asAdmin().get("/api/v1/experiments/ratings-abort-jason").then().statusCode(404).contentType(PROBLEM);
        asAdmin().delete("/api/v1/experiments/ratings-abort-jason").then().statusCode(404);
        asAdmin().get("/api/v1/experiments/ratings-abort-jason/revisions").then().statusCode(200)
                .body("change", contains("DELETED", "CREATED"));

        asAdmin().contentType(YAML).body(document).post("/api/v1/experiments").then().statusCode(201)
                .body("status.revision", equalTo(3));
    }

    @Test
    void putWithAnotherNameInTheDocumentIsRejected() {
        asAdmin().contentType(YAML).body(Examples.yaml("ratings-abort-jason"))
                .when().put("/api/v1/experiments/something-else")
                .then().statusCode(400).contentType(PROBLEM)
                .body("errors.path", contains("metadata.name"));
        asAdmin().get("/api/v1/experiments").then().body("$", empty());
    }

    @Test
    void malformedDocumentsName400EveryOffendingFieldAndStoreNothing() {
        String document = """
                apiVersion: faultline.dev/v1
                kind: Experiment
                metadata: { name: broken, tags: latency }
                spec:
                  faults:
                    - delay: { fixedDelay: 2s, percentage: 150 }
                    - abort: { httpStatus: five-hundred, percentage: 10 }
                  duration: 5m
                  blastRadius: small
                """;

        asAdmin().contentType(YAML).body(document)
                .when().post("/api/v1/experiments")
                .then().statusCode(400).contentType(PROBLEM)
                .body("type", equalTo("https://faultline.dev/problems/invalid-document"))
                .body("status", equalTo(400))
                .body("instance", equalTo("/api/v1/experiments"))
                .body("errors", hasSize(5))
                .body("errors.path", containsInAnyOrder("metadata.tags", "spec.target", "spec.faults[0].delay.percentage",
                        "spec.faults[1].abort.httpStatus", "spec.blastRadius"))
                .body("errors.find { it.path == 'spec.faults[0].delay.percentage' }.message", containsString("found 150"))
                .body("errors.find { it.path == 'spec.target' }.message", equalTo("is required"))
                .body("errors.find { it.path == 'spec.blastRadius' }.message", startsWith("is not a known field"));

        asAdmin().get("/api/v1/experiments").then().body("$", empty());
        asAdmin().get("/api/v1/experiments/broken/revisions").then().statusCode(404);
    }

    @Test
    void badSyntaxIsA400WithTheLine() {
        asAdmin().contentType(YAML).body("apiVersion: faultline.dev/v1\nmetadata: {name: x\n")
                .when().post("/api/v1/experiments")
                .then().statusCode(400).contentType(PROBLEM)
                .body("errors[0].path", equalTo("(document)"))
                .body("errors[0].message", startsWith("is not valid YAML: line"));
        asAdmin().contentType(ContentType.JSON).body("{\"apiVersion\": \"faultline.dev/v1\",")
                .when().post("/api/v1/experiments")
                .then().statusCode(400).contentType(PROBLEM)
                .body("errors[0].message", startsWith("is not valid JSON"));
    }

    @Test
    void noInputReachesA500() {
        String[] bodies = { "", "null", "42", "\"text\"", "[]", "[{}]", "{}", "true", "{\"spec\": []}",
                "{\"apiVersion\": 1, \"kind\": {}, \"metadata\": [], \"spec\": \"x\"}",
                "{\"metadata\": {\"name\": \"" + "a".repeat(300) + "\"}}",
                "{\"spec\": {\"faults\": [null, 1, \"x\", {\"delay\": null}, {\"delay\": {\"fixedDelay\": 5}}]}}",
                "{\"spec\": {\"target\": {\"match\": {\"headers\": {\"X-Upper\": 1, \"ok\": {\"exact\": []}}}}}}",
                "{\"spec\": {\"guardrails\": [{\"name\": \"g\", \"prometheus\": {\"query\": \"up\"}, \"tolerance\": {\"between\": [\"a\", 1, 2]}}]}}",
                "{\"spec\": {\"duration\": \"99999999999999999999h\", \"rampUp\": [{\"percentage\": 1e400, \"hold\": \"1s\"}]}}",
                "{\"a\": " + "[".repeat(5000) + "]".repeat(5000) + "}",
                "\u0000\u0001\u0002", "{\"x\": 1, \"x\": 2}" };
        for (String body : bodies) {
            asAdmin().contentType(ContentType.JSON).body(body)
                    .when().post("/api/v1/experiments")
                    .then().statusCode(400).contentType(PROBLEM).body("errors", hasItem(org.hamcrest.Matchers.notNullValue()));
        }
        String aliasBomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n" + "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
        asAdmin().contentType(YAML).body(aliasBomb).when().post("/api/v1/experiments")
                .then().statusCode(400).contentType(PROBLEM);
        asAdmin().get("/api/v1/experiments").then().body("$", empty());
    }

    @Test
    void unsupportedMediaTypesAreProblems() {
        asAdmin().contentType(ContentType.XML).body("<experiment/>")
                .when().post("/api/v1/experiments")
                .then().statusCode(415).contentType(PROBLEM).body("status", equalTo(415));
        asAdmin().accept(ContentType.XML)
                .when().get("/api/v1/experiments")
                .then().statusCode(406);
        asAdmin().when().get("/api/v1/nothing-here").then().statusCode(404).contentType(PROBLEM);
    }
}

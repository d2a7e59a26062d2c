package dev.faultline.api;

import static dev.faultline.testing.TestApi.asAdmin;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;

import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestExperiments;
import io.quarkus.test.junit.QuarkusTest;

/** One document cannot ask for unbounded checking: guardrails, probes and guardrail checks per second are capped at the edge. */
@QuarkusTest
class CheckBudgetTest {

    @Inject
    TestDatabase database;

    @BeforeEach
    void clean() {
        TestApi.sendYamlAsText();
        database.clear();
    }

    @Test
    void twentyOneGuardrailsAreRefusedAtTheList() {
        refused("many-guardrails", guardrails(21, "1s")).body("errors.path", contains("spec.guardrails"))
                .body("errors[0].message", containsString("at most 20 guardrails, found 21"));
        asAdmin().get("/api/v1/experiments/many-guardrails").then().statusCode(404);
    }

    @Test
    void twentyGuardrailsEveryHalfSecondAreRefusedWithTheSumAndTheWayOut() {
        refused("busy-guardrails", guardrails(20, "500ms")).body("errors.path", contains("spec.guardrails"))
                .body("errors[0].message", containsString("20 guardrails at 500ms make 40 checks/s; at most 20: raise interval or drop guardrails"));
    }

    @Test
    void twentyGuardrailsEverySecondAreAccepted() {
        asAdmin().contentType(TestApi.YAML).body(TestExperiments.aborting("reviews").named("enough-guardrails").lasting("1m")
                .with(guardrails(20, "1s")).yaml()).post("/api/v1/experiments").then().statusCode(201);
    }

    @Test
    void anExperimentStoredBeforeTheBudgetIsStillReadListedAndRunButNotStoredAgainAsItIs() {
        asAdmin().contentType(TestApi.YAML).body(TestExperiments.aborting("reviews").named("stored-before").lasting("1m")
                .with(guardrails(20, "1s")).yaml()).post("/api/v1/experiments").then().statusCode(201);
        asAdmin().contentType(TestApi.YAML).body(TestExperiments.aborting("reviews").named("other").lasting("1m").yaml())
                .post("/api/v1/experiments").then().statusCode(201);
        // as an older Faultline stored it: 19 checks/s and one guardrail every 100 ms
        database.execute("update experiment set document = jsonb_set(document, '{spec,guardrails,0,interval}', '\"100ms\"')"
                + " where name = 'stored-before'");

        asAdmin().get("/api/v1/experiments").then().statusCode(200).body("metadata.name", contains("other", "stored-before"));
        String stored = asAdmin().accept(TestApi.YAML).get("/api/v1/experiments/stored-before").then().statusCode(200).extract().asString();
        asAdmin().contentType(io.restassured.http.ContentType.JSON).body("{}").post("/api/v1/experiments/stored-before/runs")
                .then().statusCode(202);

        asAdmin().contentType(TestApi.YAML).body(stored.replace("name: check 1\n", "name: check one\n"))
                .put("/api/v1/experiments/stored-before").then().statusCode(400).contentType(TestApi.PROBLEM)
                .body("errors.path", contains("spec.guardrails")).body("errors[0].message", containsString("make 29 checks/s"));
    }

    @Test
    void twentyOneProbesAreRefusedAtTheList() {
        TestExperiments experiment = TestExperiments.aborting("reviews").named("many-probes").lasting("1m");
        for (int i = 0; i < 21; i++) {
            experiment.steadyWhile("probe " + i, "http://127.0.0.1:9/health");
        }
        asAdmin().contentType(TestApi.YAML).body(experiment.yaml()).post("/api/v1/experiments").then().statusCode(400)
                .contentType(TestApi.PROBLEM).body("errors.path", hasItem("spec.steadyState.probes"))
                .body("errors.message", hasItem(containsString("at most 20 probes, found 21")));
    }

    private static io.restassured.response.ValidatableResponse refused(String name, String guardrails) {
        return asAdmin().contentType(TestApi.YAML).body(TestExperiments.aborting("reviews").named(name).lasting("1m").with(guardrails).yaml())
                .post("/api/v1/experiments").then().statusCode(400).contentType(TestApi.PROBLEM);
    }

    private static String guardrails(int count, String interval) {
        return "guardrails:\n" + IntStream.range(0, count).mapToObj(i -> """
                  - name: check %d
                    prometheus: { query: "up" }
                    tolerance: { below: 2 }
                    interval: %s
                """.formatted(i, interval)).collect(Collectors.joining());
    }
}

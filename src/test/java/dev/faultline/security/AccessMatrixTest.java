package dev.faultline.security;

import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Walks every operation of {@code /api/v1} that the OpenAPI document lists, as every role and as
 * nobody. The expected access is this test's own table: an endpoint added without an entry here
 * fails the test, so none can escape the matrix.
 */
@QuarkusTest
class AccessMatrixTest {

    /** Who may call an operation: anyone signed in, or holders of a role (or a role that implies it). */
    enum Access {
        SIGNED_IN, VIEWER, EXPERIMENTER, APPROVER, ADMIN;

        boolean allows(Set<Role> roles) {
            return this == SIGNED_IN || Role.expand(roles).contains(Role.valueOf(name()));
        }
    }

    static final Map<String, Access> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("GET /api/v1/experiments", Access.VIEWER);
        EXPECTED.put("POST /api/v1/experiments", Access.EXPERIMENTER);
        EXPECTED.put("GET /api/v1/experiments/{name}", Access.VIEWER);
        EXPECTED.put("PUT /api/v1/experiments/{name}", Access.EXPERIMENTER);
        EXPECTED.put("DELETE /api/v1/experiments/{name}", Access.EXPERIMENTER);
        EXPECTED.put("GET /api/v1/experiments/{name}/revisions", Access.VIEWER);
        EXPECTED.put("POST /api/v1/experiments/{name}/preview", Access.EXPERIMENTER);
        EXPECTED.put("GET /api/v1/experiments/{name}/revisions/{revision}", Access.VIEWER);
        EXPECTED.put("GET /api/v1/tokens", Access.VIEWER);
        EXPECTED.put("POST /api/v1/tokens", Access.VIEWER);
        EXPECTED.put("DELETE /api/v1/tokens/{id}", Access.VIEWER);
        EXPECTED.put("GET /api/v1/users", Access.ADMIN);
        EXPECTED.put("POST /api/v1/users", Access.ADMIN);
        EXPECTED.put("GET /api/v1/users/{username}", Access.ADMIN);
        EXPECTED.put("PATCH /api/v1/users/{username}", Access.ADMIN);
        EXPECTED.put("DELETE /api/v1/users/{username}", Access.ADMIN);
        EXPECTED.put("GET /api/v1/me", Access.SIGNED_IN);
        EXPECTED.put("PUT /api/v1/me/password", Access.SIGNED_IN);
        EXPECTED.put("GET /api/v1/audit", Access.ADMIN);
        EXPECTED.put("GET /api/v1/policy", Access.VIEWER);
        EXPECTED.put("POST /api/v1/experiments/{name}/runs", Access.EXPERIMENTER);
        EXPECTED.put("GET /api/v1/runs", Access.VIEWER);
        EXPECTED.put("GET /api/v1/runs/{id}", Access.VIEWER);
        EXPECTED.put("GET /api/v1/runs/{id}/samples", Access.VIEWER);
        EXPECTED.put("GET /api/v1/runs/{id}/junit", Access.VIEWER);
        EXPECTED.put("GET /api/v1/runs/{id}/impact", Access.VIEWER);
        EXPECTED.put("GET /api/v1/runs/{id}/findings", Access.VIEWER);
        EXPECTED.put("GET /api/v1/report", Access.VIEWER);
        EXPECTED.put("POST /api/v1/runs/{id}/abort", Access.SIGNED_IN);
        EXPECTED.put("GET /api/v1/runs/{id}/notifications", Access.VIEWER);
        EXPECTED.put("GET /api/v1/channels", Access.VIEWER);
        EXPECTED.put("POST /api/v1/channels", Access.ADMIN);
        EXPECTED.put("GET /api/v1/channels/{name}", Access.VIEWER);
        EXPECTED.put("PUT /api/v1/channels/{name}", Access.ADMIN);
        EXPECTED.put("DELETE /api/v1/channels/{name}", Access.ADMIN);
        EXPECTED.put("POST /api/v1/channels/{name}/test", Access.ADMIN);
        EXPECTED.put("POST /api/v1/import/chaostoolkit", Access.EXPERIMENTER);
        EXPECTED.put("POST /api/v1/export/chaostoolkit", Access.VIEWER);
        EXPECTED.put("GET /api/v1/experiments/{name}/export/chaostoolkit", Access.VIEWER);
        EXPECTED.put("GET /api/v1/schedules", Access.VIEWER);
        EXPECTED.put("POST /api/v1/schedules", Access.EXPERIMENTER);
        EXPECTED.put("GET /api/v1/schedules/{name}", Access.VIEWER);
        EXPECTED.put("PUT /api/v1/schedules/{name}", Access.EXPERIMENTER);
        EXPECTED.put("DELETE /api/v1/schedules/{name}", Access.EXPERIMENTER);
        EXPECTED.put("POST /api/v1/schedules/{name}/pause", Access.EXPERIMENTER);
        EXPECTED.put("POST /api/v1/schedules/{name}/resume", Access.EXPERIMENTER);
        EXPECTED.put("GET /api/v1/gamedays", Access.VIEWER);
        EXPECTED.put("POST /api/v1/gamedays", Access.EXPERIMENTER);
        EXPECTED.put("GET /api/v1/gamedays/{name}", Access.VIEWER);
        EXPECTED.put("PUT /api/v1/gamedays/{name}", Access.EXPERIMENTER);
        EXPECTED.put("DELETE /api/v1/gamedays/{name}", Access.EXPERIMENTER);
        EXPECTED.put("POST /api/v1/gamedays/{name}/approve", Access.APPROVER);
        EXPECTED.put("POST /api/v1/gamedays/{name}/start", Access.EXPERIMENTER);
        EXPECTED.put("POST /api/v1/gamedays/{name}/cancel", Access.SIGNED_IN);
        EXPECTED.put("POST /api/v1/gamedays/{name}/findings", Access.VIEWER);
        EXPECTED.put("POST /api/v1/gamedays/{name}/actions", Access.VIEWER);
        EXPECTED.put("PATCH /api/v1/gamedays/{name}/actions/{id}", Access.VIEWER);
        EXPECTED.put("GET /api/v1/halt", Access.SIGNED_IN);
        EXPECTED.put("POST /api/v1/halt", Access.SIGNED_IN);
        EXPECTED.put("DELETE /api/v1/halt", Access.APPROVER);
        EXPECTED.put("GET /api/v1/playground", Access.SIGNED_IN);
        EXPECTED.put("GET /api/v1/posture", Access.VIEWER);
        EXPECTED.put("PUT /api/v1/playground/traffic", Access.EXPERIMENTER);
        EXPECTED.put("GET /api/v1/secrets", Access.VIEWER);
        EXPECTED.put("GET /api/v1/secrets/{name}", Access.VIEWER);
        EXPECTED.put("PUT /api/v1/secrets/{name}", Access.EXPERIMENTER);
        EXPECTED.put("DELETE /api/v1/secrets/{name}", Access.EXPERIMENTER);
    }

    /** One user per role, and one with no role at all. */
    static final Map<String, Set<Role>> CALLERS = new LinkedHashMap<>();

    static {
        CALLERS.put("matrix-none", EnumSet.noneOf(Role.class));
        for (Role role : Role.values()) {
            CALLERS.put("matrix-" + role.key(), EnumSet.of(role));
        }
    }

    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;

    @BeforeEach
    void clean() {
        database.clear();
        CALLERS.forEach((username, roles) -> users.create(username, List.of("*"), roles.toArray(Role[]::new)));
    }

    @Test
    void everyOperationOfTheApiIsInTheMatrix() {
        assertThat(operations()).as("operations in /q/openapi; add new ones to EXPECTED with their access")
                .containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
    }

    @Test
    void everyOperationRefusesTheAnonymousAndEveryRoleThatMustNotAct() {
        List<String> wrong = new ArrayList<>();
        for (String operation : operations()) {
            Access access = EXPECTED.get(operation);
            if (access == null) {
                continue;
            }
            expect(wrong, operation, "nobody", call(given(), operation), 401);
            CALLERS.forEach((username, roles) -> {
                int status = call(as(username, TestUsers.password(username)), operation).statusCode();
                if (access.allows(roles) && (status == 401 || status == 403)) {
                    wrong.add(operation + " as " + username + ": " + status + ", expected to be let through");
                } else if (!access.allows(roles) && status != 403) {
                    wrong.add(operation + " as " + username + ": " + status + ", expected 403");
                }
            });
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void onlyHealthAndMetricsAreOpenToScrapers() {
        // Open means answered without credentials: a health check may answer 503 (here, when rules an earlier test left
        // in the shared database could not be swept for want of a cluster), never 401 or 403.
        for (String open : List.of("/q/health", "/q/health/live", "/q/health/ready", "/q/health/started")) {
            given().get(open).then().log().ifValidationFails().statusCode(org.hamcrest.Matchers.oneOf(200, 503))
                    .body("status", org.hamcrest.Matchers.oneOf("UP", "DOWN"));
        }
        given().get("/q/metrics").then().log().ifValidationFails().statusCode(200);
        for (String closed : List.of("/q/openapi", "/q/swagger-ui/", "/api/v1", "/api/anything", "/q/dev-ui", "/q/anything")) {
            given().get(closed).then().statusCode(401);
        }
        // Other paths are the browser UI's: its page shell loads, and then only the sign-in view opens
        // to a visitor (SignInAndHaltTest drives that in Chromium).
        for (String ui : List.of("/", "/anything")) {
            given().get(ui).then().statusCode(200).contentType(containsString("text/html"));
        }
    }

    private static void expect(List<String> wrong, String operation, String caller, Response response, int status) {
        if (response.statusCode() != status) {
            wrong.add(operation + " as " + caller + ": " + response.statusCode() + ", expected " + status);
        }
    }

    /** Calls the operation with placeholder path parameters and an empty JSON object as body. */
    private static Response call(RequestSpecification request, String operation) {
        String method = operation.substring(0, operation.indexOf(' '));
        String path = operation.substring(operation.indexOf(' ') + 1).replaceAll("\\{[^}]+}", "1");
        return request.contentType(ContentType.JSON).body("{}").request(method, path);
    }

    private static Set<String> operations() {
        JsonPath openApi = JsonPath.from(asAdmin().accept("application/json").get("/q/openapi").then().statusCode(200)
                .extract().asString());
        Map<String, Map<String, Object>> paths = openApi.getMap("paths");
        Set<String> operations = new TreeSet<>();
        paths.forEach((path, methods) -> methods.keySet().stream()
                .filter(method -> Set.of("get", "put", "post", "delete", "patch", "head", "options").contains(method))
                .forEach(method -> operations.add(method.toUpperCase() + " " + path)));
        assertThat(operations).allMatch(operation -> operation.contains(" /api/v1/"), "every operation is under /api/v1");
        return operations;
    }
}

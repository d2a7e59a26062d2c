package dev.faultline.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.faultline.Failure;
import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.metrics.QueryResult;
import dev.faultline.notify.ChannelService;
import dev.faultline.playground.PlaygroundService;
import dev.faultline.resilience.FindingService;
import dev.faultline.resilience.ImpactService;
import dev.faultline.resilience.ReportService;
import dev.faultline.resilience.PostureService;
import dev.faultline.run.HaltService;
import dev.faultline.run.PreviewService;
import dev.faultline.run.RunService;
import dev.faultline.schedule.GameDayService;
import dev.faultline.schedule.ScheduleService;
import dev.faultline.secret.SecretService;
import dev.faultline.security.AccessMatrixTest.Access;
import dev.faultline.testing.Examples;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The browser calls the same feature services as the API, with a {@link Caller} whose door is the
 * UI. This test calls each service operation as the UI would, with every role, and expects it to
 * refuse exactly the roles that {@link AccessMatrixTest} expects the API to refuse: the two doors
 * cannot drift apart. Callers hold no namespace grant, so an operation let through its role check
 * stops at the grant (or at a name that does not exist) and changes nothing.
 */
@QuarkusTest
class FeatureAccessTest {

    /** The API matrix's users, one per role and one with none (they exist, so what they create has an owner). */
    private static final Map<String, Set<Role>> ROLES = AccessMatrixTest.CALLERS;

    @Inject
    TestDatabase database;
    @Inject
    TestUsers testUsers;
    @Inject
    ExperimentService experiments;
    @Inject
    RunService runs;
    @Inject
    PlaygroundService playground;
    @Inject
    HaltService halt;
    @Inject
    PreviewService previews;
    @Inject
    ScheduleService schedules;
    @Inject
    GameDayService gameDays;
    @Inject
    ChannelService channels;
    @Inject
    UserService users;
    @Inject
    TokenService tokens;
    @Inject
    AuditTrail audit;
    @Inject
    SecretService secrets;
    @Inject
    PostureService postures;
    @Inject
    ImpactService impacts;
    @Inject
    FindingService findings;
    @Inject
    ReportService reports;

    @BeforeEach
    void clean() {
        database.clear();
        ROLES.forEach((name, held) -> testUsers.create(name, List.of(), held.toArray(Role[]::new)));
    }

    private Map<String, Consumer<Caller>> operations() {
        var experiment = ExperimentCodec.decode(Examples.yaml("reviews-v2-latency"), DocumentFormat.YAML);
        var empty = JsonNodeFactory.instance.objectNode();
        Map<String, Consumer<Caller>> operations = new LinkedHashMap<>();
        operations.put("POST /api/v1/experiments", caller -> experiments.create(caller, experiment));
        operations.put("PUT /api/v1/experiments/{name}", caller -> experiments.apply(caller, experiment));
        operations.put("DELETE /api/v1/experiments/{name}", caller -> experiments.delete(caller, "missing"));
        operations.put("POST /api/v1/experiments/{name}/preview", caller -> previews.preview(caller, "missing"));
        operations.put("POST /api/v1/experiments/{name}/runs", caller -> runs.start(caller, "missing", false));
        operations.put("POST /api/v1/runs/{id}/abort", caller -> runs.abort(caller, "missing", "matrix"));
        operations.put("POST /api/v1/halt", caller -> {
            halt.halt(caller, "matrix");
            halt.rearm(new Caller("matrix-admin", Set.of(Role.ADMIN), List.of(), null, Caller.Via.UI, null));
        });
        operations.put("DELETE /api/v1/halt", halt::rearm);
        operations.put("PUT /api/v1/playground/traffic", caller -> playground.change(caller, new PlaygroundService.Traffic(null, null, null)));
        operations.put("POST /api/v1/schedules", caller -> schedules.create(caller, empty));
        operations.put("PUT /api/v1/schedules/{name}", caller -> schedules.put(caller, "missing", empty));
        operations.put("DELETE /api/v1/schedules/{name}", caller -> schedules.delete(caller, "missing"));
        operations.put("POST /api/v1/schedules/{name}/pause", caller -> schedules.setPaused(caller, "missing", true));
        operations.put("POST /api/v1/schedules/{name}/resume", caller -> schedules.setPaused(caller, "missing", false));
        operations.put("POST /api/v1/gamedays", caller -> gameDays.create(caller, empty));
        operations.put("PUT /api/v1/gamedays/{name}", caller -> gameDays.put(caller, "missing", empty));
        operations.put("DELETE /api/v1/gamedays/{name}", caller -> gameDays.delete(caller, "missing"));
        operations.put("POST /api/v1/gamedays/{name}/approve", caller -> gameDays.approve(caller, "missing"));
        operations.put("POST /api/v1/gamedays/{name}/start", caller -> gameDays.start(caller, "missing"));
        operations.put("POST /api/v1/gamedays/{name}/cancel", caller -> gameDays.cancel(caller, "missing"));
        operations.put("POST /api/v1/gamedays/{name}/findings", caller -> gameDays.addFinding(caller, "missing", "x"));
        operations.put("POST /api/v1/gamedays/{name}/actions", caller -> gameDays.addAction(caller, "missing", "x", null, null));
        operations.put("PATCH /api/v1/gamedays/{name}/actions/{id}", caller -> gameDays.setDone(caller, "missing", 1, true));
        operations.put("POST /api/v1/channels", caller -> channels.create(caller, "matrix", null));
        operations.put("PUT /api/v1/channels/{name}", caller -> channels.put(caller, "matrix", null));
        operations.put("DELETE /api/v1/channels/{name}", caller -> channels.delete(caller, "missing"));
        operations.put("POST /api/v1/channels/{name}/test", caller -> channels.test(caller, "missing"));
        operations.put("POST /api/v1/users", caller -> users.create(caller, "admin", "Some-Password-123", Set.of(Role.VIEWER), List.of()));
        operations.put("PATCH /api/v1/users/{username}", caller -> users.update(caller, "missing", Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty()));
        operations.put("DELETE /api/v1/users/{username}", caller -> users.delete(caller, "missing"));
        operations.put("PUT /api/v1/me/password", caller -> users.changePassword(caller, null, "Another-Password-123"));
        operations.put("POST /api/v1/tokens", caller -> tokens.create(caller, "matrix", Set.of(Role.ADMIN),
                Instant.now().plusSeconds(3600)));
        operations.put("DELETE /api/v1/tokens/{id}", caller -> tokens.revoke(caller, "missing"));
        // each caller its own secret: replacing another's is for its creator or an admin, tested in the secret package
        operations.put("PUT /api/v1/secrets/{name}", caller -> secrets.put(caller, "matrix-" + caller.name().toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^a-z0-9-]", "-"), new SecretService.SecretRequest("matrix-value", List.of("127.0.0.1"))));
        operations.put("DELETE /api/v1/secrets/{name}", caller -> secrets.delete(caller, "missing"));
        operations.put("GET /api/v1/posture", caller -> postures.posture(caller, "bookinfo"));
        operations.put("GET /api/v1/runs/{id}/impact", caller -> impacts.impact(caller, "missing"));
        operations.put("GET /api/v1/runs/{id}/findings", caller -> findings.findings(caller, "missing"));
        operations.put("GET /api/v1/report", caller -> reports.report(caller, null, "bookinfo", null));
        operations.put("GET /api/v1/audit", caller -> audit.search(caller, new AuditTrail.Query(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), 1)));
        return operations;
    }

    @Test
    void everyChangeTheApiOffersHasItsServiceOperationHere() {
        List<String> changes = AccessMatrixTest.EXPECTED.keySet().stream().filter(operation -> !operation.startsWith("GET "))
                .filter(operation -> !operation.contains("chaostoolkit")) // documents in and out; storing one is experiments.create
                .toList();
        assertThat(operations().keySet()).containsAll(changes);
    }

    @Test
    void theServicesRefuseThroughTheBrowserExactlyWhatTheApiRefuses() {
        List<String> wrong = new ArrayList<>();
        operations().forEach((operation, call) -> {
            Access access = AccessMatrixTest.EXPECTED.get(operation);
            assertThat(access).as("%s is in the API's access matrix", operation).isNotNull();
            ROLES.forEach((name, held) -> {
                Caller caller = new Caller(name, held, List.of(), "password", Caller.Via.UI, "127.0.0.1");
                Failure outcome = null;
                try {
                    call.accept(caller);
                } catch (RuntimeException e) {
                    outcome = Failure.of(e);
                }
                boolean refused = outcome == Failure.FORBIDDEN;
                if (refused == access.allows(held)) {
                    wrong.add(operation + " as " + name + ": " + (outcome == null ? "done" : outcome) + ", the API "
                            + (access.allows(held) ? "lets it through" : "refuses it"));
                }
            });
        });
        assertThat(wrong).isEmpty();
    }

    /**
     * What the designer reads with Faultline's own access, for values and choices (no API operation):
     * experimenters only, and only for a namespace they were granted. Callers here hold a grant for
     * another namespace.
     */
    @Test
    void theDesignersLiveReadsNeedTheExperimenterRoleAndAGrantForTheNamespace() {
        Map<String, BiConsumer<Caller, String>> reads = new LinkedHashMap<>();
        reads.put("current value", (caller, namespace) -> previews.currentValue(caller, namespace, "vector(1)"));
        reads.put("services", previews::services);
        List<String> wrong = new ArrayList<>();
        reads.forEach((read, call) -> ROLES.forEach((name, held) -> {
            Caller caller = new Caller(name, held, List.of("payments"), "password", Caller.Via.UI, "127.0.0.1");
            Failure expected = Access.EXPERIMENTER.allows(held) ? Failure.POLICY_DENIED : Failure.FORBIDDEN;
            Failure outcome = null;
            try {
                call.accept(caller, "bookinfo");
            } catch (RuntimeException e) {
                outcome = Failure.of(e);
            }
            if (outcome != expected) {
                wrong.add(read + " as " + name + ": " + (outcome == null ? "read" : outcome) + ", expected " + expected);
            }
        }));
        assertThat(wrong).isEmpty();

        Caller granted = new Caller("matrix-experimenter", Set.of(Role.EXPERIMENTER), List.of("bookinfo"), "password", Caller.Via.UI,
                "127.0.0.1");
        assertThat(previews.currentValue(granted, "bookinfo", "vector(1)")).isInstanceOf(QueryResult.class);
    }
}

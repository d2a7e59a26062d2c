package dev.faultline.run;

import static dev.faultline.testing.StatementCounter.statementsOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.experiment.ExperimentService;
import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestExperiments;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The pages that list experiments and runs read what they show in a fixed number of queries,
 * whatever the number of rows: counted with 2 and with 25 experiments (each with two runs).
 */
@QuarkusTest
class QueriesPerPageTest {

    private static final Caller ADMIN = new Caller("admin", Set.of(Role.ADMIN), List.of("*"), "password", Caller.Via.UI, null);

    @Inject
    TestDatabase database;
    @Inject
    ExperimentService experiments;
    @Inject
    RunService runs;
    @Inject
    RunStore store;

    @BeforeEach
    void clean() {
        database.clear();
    }

    @Test
    void experimentsRunsAndDashboardCostTheSameQueriesForTwoRowsAndForTwentyFive() {
        Map<String, Integer> few = measure(2);
        Map<String, Integer> many = measure(25);
        System.out.println("queries per page, 2 experiments / 25 experiments (2 runs each): " + few + " / " + many);
        assertThat(many).isEqualTo(few);
        assertThat(few.get("experiments page")).isLessThanOrEqualTo(2);
        assertThat(few.get("runs page")).isLessThanOrEqualTo(3);
    }

    private Map<String, Integer> measure(int count) {
        database.clear();
        for (int i = 0; i < count; i++) {
            String name = "page-" + count + "-" + i;
            experiments.create(ADMIN, ExperimentCodec.decode(TestExperiments.aborting("reviews").named(name).yaml(), DocumentFormat.YAML));
            run(name, RunState.COMPLETED);
            run(name, RunState.OBSERVING);
        }
        Map<String, Integer> queries = new LinkedHashMap<>();
        queries.put("experiments page", statementsOf(() -> {
            experiments.list(Optional.empty(), Optional.empty());
            runs.latestStates();
        }));
        queries.put("runs page", statementsOf(() -> runs.list(Optional.empty(), Optional.empty(), 200)));
        queries.put("dashboard runs", statementsOf(() -> {
            List<Run> recent = runs.list(Optional.empty(), Optional.empty(), 200);
            runs.list(Optional.empty(), Optional.of(RunState.ABORTED), 10);
            runs.latestSamples(recent.stream().filter(run -> !run.state().isTerminal()).map(Run::id).toList());
        }));
        return queries;
    }

    private void run(String experiment, RunState state) {
        StoredRun run = new StoredRun();
        run.id = Long.toString(System.nanoTime(), 36);
        run.experiment = experiment;
        run.revision = 1;
        run.document = "{}";
        run.state = state;
        run.targetNamespace = "bookinfo";
        run.targetService = "reviews";
        run.startedBy = "admin";
        run.createdAt = Instant.now();
        run.owner = "elsewhere";
        run.heartbeatAt = run.createdAt;
        if (state.isTerminal()) {
            run.endedAt = run.createdAt;
        }
        store.create(run);
    }
}

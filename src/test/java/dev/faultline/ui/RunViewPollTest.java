package dev.faultline.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.vaadin.flow.component.Component;

import dev.faultline.resilience.FindingService;
import dev.faultline.run.RunService;
import dev.faultline.security.Role;
import dev.faultline.testing.TestDatabase;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The run page's poll (what runs every second while a run is live), called on the view itself without a
 * browser: after five new samples it reads five rows of {@code run_sample} (counted by PostgreSQL), as
 * many with twenty samples before as with two thousand, and its chart holds them all.
 */
@QuarkusTest
class RunViewPollTest {

    private static final int NEW = 5;

    @Inject
    TestDatabase database;
    @Inject
    RunService runs;
    @Inject
    UiActions actions;
    @Inject
    FindingService impacts;

    @BeforeEach
    void clean() {
        database.clear();
    }

    @Test
    void aPollAfterFiveNewSamplesReadsFiveRowsWhetherTwentyOrTwoThousandCameBefore() {
        Map<Integer, Long> rowsRead = new LinkedHashMap<>();
        for (int before : List.of(20, 2000)) {
            String id = database.liveRun("watched");
            database.storeSamples(id, 1, before);
            RunView view = new RunView(runs, impacts, actions, QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal("vera"))
                    .addRole(Role.VIEWER_NAME).build());
            view.open(id);
            assertThat(chart(view).getElement().getAttribute("data-samples")).isEqualTo(String.valueOf(before));

            database.storeSamples(id, before + 1, NEW);
            rowsRead.put(before, database.rowsRead("run_sample", view::refresh));
            EChart chart = chart(view);
            assertThat(chart.getElement().getAttribute("data-samples")).isEqualTo(String.valueOf(before + NEW));
            List<Double> values = chart.option().at("/series/0/data").findValues("value").stream().map(point -> point.get(1).asDouble()).toList();
            assertThat(values).hasSize(before + NEW).isSorted().doesNotHaveDuplicates();
            assertThat(database.rowsRead("run_sample", view::refresh)).as("a poll with nothing new").isZero();
        }
        System.out.println("rows of run_sample read by a poll of the run page after " + NEW + " new samples, by samples before: " + rowsRead);
        assertThat(rowsRead).containsOnly(Map.entry(20, (long) NEW), Map.entry(2000, (long) NEW));
    }

    private static EChart chart(RunView view) {
        // the samples' charts, not the impact's graph
        List<EChart> charts = descendants(view).filter(EChart.class::isInstance).map(EChart.class::cast)
                .filter(chart -> chart.getElement().hasAttribute("data-check")).toList();
        assertThat(charts).hasSize(1);
        return charts.getFirst();
    }

    private static Stream<Component> descendants(Component component) {
        return Stream.concat(Stream.of(component), component.getChildren().flatMap(RunViewPollTest::descendants));
    }
}

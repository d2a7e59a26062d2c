package dev.faultline.run;

import static dev.faultline.run.RunState.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The run lifecycle of DESIGN.md, as {@link RunState#canMoveTo} enforces it for every ending. */
class RunStateTest {

    @Test
    void everyPathOfTheLifecycleDiagramIsAllowed() {
        List<List<RunState>> paths = List.of(
                List.of(PENDING, PRECHECK, INJECTING, OBSERVING, RECOVERING, POSTCHECK, COMPLETED),
                List.of(PENDING, PRECHECK, INJECTING, OBSERVING, RECOVERING, POSTCHECK, DEVIATED),
                List.of(PENDING, PRECHECK, CANCELLED),
                List.of(PENDING, PRECHECK, INJECTING, RECOVERING, ABORTED),
                List.of(PENDING, PRECHECK, INJECTING, RECOVERING, FAILED),
                List.of(PENDING, PRECHECK, INJECTING, OBSERVING, RECOVERING, ABORTED),
                List.of(PENDING, PRECHECK, INJECTING, OBSERVING, RECOVERING, FAILED),
                // left behind: before injecting a run is cancelled; during the post-check it is aborted
                List.of(PENDING, CANCELLED),
                List.of(PENDING, PRECHECK, INJECTING, OBSERVING, RECOVERING, POSTCHECK, ABORTED));
        for (List<RunState> path : paths) {
            for (int i = 1; i < path.size(); i++) {
                assertThat(path.get(i - 1).canMoveTo(path.get(i))).as(path.get(i - 1) + " → " + path.get(i)).isTrue();
            }
        }
    }

    @Test
    void nothingSkipsRecoveryOnceFaultsMayBeWrittenAndNothingLeavesAnEnd() {
        for (RunState mayHaveFaults : List.of(INJECTING, OBSERVING)) {
            assertThat(mayHaveFaults.next()).as(mayHaveFaults + " ends only through RECOVERING")
                    .noneMatch(RunState::isTerminal).contains(RECOVERING);
        }
        List<String> fromTerminal = new ArrayList<>();
        for (RunState end : EnumSet.range(COMPLETED, CANCELLED)) {
            assertThat(end.isTerminal()).isTrue();
            end.next().forEach(next -> fromTerminal.add(end + " → " + next));
        }
        assertThat(fromTerminal).isEmpty();
        assertThat(PRECHECK.canMoveTo(FAILED)).as("nothing was written, so nothing failed: it is cancelled").isFalse();
        assertThat(PENDING.canMoveTo(INJECTING)).isFalse();
        assertThat(OBSERVING.canMoveTo(POSTCHECK)).as("the post-check comes after the rules are removed").isFalse();
        assertThat(RECOVERING.canMoveTo(COMPLETED)).isFalse();
        assertThat(OBSERVING.canMoveTo(OBSERVING)).isFalse();
    }
}

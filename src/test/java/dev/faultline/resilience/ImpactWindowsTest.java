package dev.faultline.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.faultline.ResourceConflictException;
import dev.faultline.resilience.Impact.Window;
import dev.faultline.resilience.Impact.Windows;
import dev.faultline.run.Run;
import dev.faultline.run.RunState;
import dev.faultline.run.TimelineKind;

/** Which stretches of time a run's impact compares. */
class ImpactWindowsTest {

    private static Instant at(String time) {
        return Instant.parse("2026-12-04T" + time + "Z");
    }

    private static Run run(List<Run.Rule> rules, Run.Recovery recovery, Instant endedAt) {
        return new Run("r1", "reviews-abort", 1, endedAt == null ? RunState.OBSERVING : RunState.COMPLETED, null, null, "erin",
                at("10:00:00"), at("10:00:01"), endedAt, false, rules,
                List.of(new Run.TimelineEntry(at("10:00:01"), TimelineKind.PENDING, "started"),
                        new Run.TimelineEntry(at("10:00:05"), TimelineKind.PRECHECK, "checking the steady state")),
                recovery, null, null, null);
    }

    private static Run.Rule rule(String applied, String removed) {
        return new Run.Rule("VirtualService", "bookinfo", "reviews", "faultline-r1", at(applied), removed == null ? null : at(removed));
    }

    @Test
    void beforeIsAsLongAsTheFaultEndingAtThePrecheckAndAfterStartsWhenTheSteadyStateHeldAgain() {
        Windows windows = ImpactService.windows(run(List.of(rule("10:00:10", "10:00:40")), new Run.Recovery(2.0, at("10:00:42")),
                at("10:00:45")), at("10:10:00"));
        assertThat(windows.before()).isEqualTo(new Window(at("09:59:35"), at("10:00:05")));
        assertThat(windows.during()).isEqualTo(new Window(at("10:00:10"), at("10:00:40")));
        assertThat(windows.after()).isEqualTo(new Window(at("10:00:42"), at("10:01:12")));
    }

    @Test
    void theFaultRunsFromTheFirstRulesApplicationToTheLastOnesRemovalAndTheOthersAreAtMostFiveMinutes() {
        Windows windows = ImpactService.windows(run(List.of(rule("10:01:00", "10:20:00"), rule("10:00:10", "10:19:00")), null,
                at("10:20:05")), at("10:22:00"));
        assertThat(windows.during()).isEqualTo(new Window(at("10:00:10"), at("10:20:00")));
        assertThat(windows.before()).isEqualTo(new Window(at("09:55:05"), at("10:00:05")));
        assertThat(windows.after()).as("without a recovery from the removal; cut at now").isEqualTo(new Window(at("10:20:00"), at("10:22:00")));
    }

    @Test
    void whileARuleIsLiveTheFaultLastsUntilNowAndThereIsNoAfter() {
        Windows windows = ImpactService.windows(run(List.of(rule("10:00:10", null)), null, null), at("10:00:30"));
        assertThat(windows.during()).isEqualTo(new Window(at("10:00:10"), at("10:00:30")));
        assertThat(windows.before()).isEqualTo(new Window(at("09:59:45"), at("10:00:05")));
        assertThat(windows.after()).isNull();
        assertThat(ImpactService.windows(run(List.of(rule("10:00:10", "10:00:40")), null, at("10:00:41")), at("10:00:40.500")).after())
                .as("half a second after the removal is too short to read").isNull();
    }

    @Test
    void aRunThatWroteNoRuleHasNothingToCompare() {
        assertThatThrownBy(() -> ImpactService.windows(run(List.of(), null, at("10:00:06")), at("10:01:00")))
                .isInstanceOf(ResourceConflictException.class).hasMessage("run r1 has no impact to show: it wrote no fault rule");
    }
}

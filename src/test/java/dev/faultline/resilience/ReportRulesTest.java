package dev.faultline.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.faultline.resilience.Finding.Kind;
import dev.faultline.resilience.Report.Reason;
import dev.faultline.run.Run;
import dev.faultline.run.RunState;
import dev.faultline.run.TimelineKind;

/** The report's counts, open and resolved findings, and every point of its score, from runs alone. */
class ReportRulesTest {

    private static final Instant FROM = Instant.parse("2026-11-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-12-01T00:00:00Z");
    private static int day;

    @org.junit.jupiter.api.BeforeEach
    void firstDay() {
        day = 0;
    }

    private static ReportRules.Entry run(String experiment, RunState verdict, String reason, Double recovered, boolean lost, List<Finding> findings) {
        Instant at = FROM.plusSeconds(86_400L * ++day);
        List<Run.TimelineEntry> timeline = new ArrayList<>();
        if (lost) {
            timeline.add(new Run.TimelineEntry(at.plusSeconds(400), TimelineKind.NOT_RECOVERED, "not within 5m"));
        }
        List<Run.Rule> rules = verdict == RunState.CANCELLED ? List.of()
                : List.of(new Run.Rule("VirtualService", "bookinfo", "reviews", "faultline-r" + day, at.plusSeconds(5), at.plusSeconds(65)));
        Run run = new Run("r" + day, experiment, 1, verdict, verdict, reason, "erin", at, at.plusSeconds(1), at.plusSeconds(70), false, rules,
                timeline, recovered == null ? null : new Run.Recovery(recovered, at.plusSeconds(66)), null, null, null);
        return new ReportRules.Entry(run, findings);
    }

    private static Finding finding(Kind kind, String caller, String service) {
        return new Finding(kind, caller, service, kind.key() + " of " + caller, "evidence", "suggestion", null, null);
    }

    /** Newest first, as the store answers. */
    private static Report report(ReportRules.Entry... oldestFirst) {
        List<ReportRules.Entry> entries = new ArrayList<>(List.of(oldestFirst));
        java.util.Collections.reverse(entries);
        return ReportRules.of("reviews-delay", "bookinfo", FROM, TO, entries);
    }

    @Test
    void everyPointOfTheScoreIsExplainedAndTheyAddUp() {
        Finding timeout = finding(Kind.MISSING_TIMEOUT, "productpage", "reviews");
        Report report = report(
                run("reviews-delay", RunState.COMPLETED, "the steady state held", 2.0, false, List.of(timeout)),
                run("reviews-delay", RunState.ABORTED, "guardrail \"errors\" breached", 40.0, false, List.of(timeout)),
                run("reviews-delay", RunState.ABORTED, "aborted by admin: lunch", 50.0, false, null),
                run("reviews-delay", RunState.DEVIATED, "not recovered", null, true, List.of(timeout)),
                run("reviews-delay", RunState.FAILED, "the API server did not answer", null, false, null),
                run("reviews-delay", RunState.CANCELLED, "policy", null, false, null));

        assertThat(report.verdicts()).isEqualTo(new Report.Verdicts(4, 1, 1, 2, 1, 1, 1));
        assertThat(report.recovery()).isEqualTo(new Report.Recovery(3, 40.0, 50.0, 1));
        assertThat(report.runs()).extracting(Report.RunRow::id).containsExactly("r6", "r5", "r4", "r3", "r2", "r1");
        assertThat(report.score().explanation()).containsExactly(
                new Reason(100, "the start"),
                new Reason(-25, "2 of 4 judged runs broke the steady state (1 DEVIATED, 1 aborted by a guardrail); 1 aborted by a person, "
                        + "the kill switch or a lost owner count as holding"),
                new Reason(-10, "1 open finding: missingTimeout (productpage → reviews)"),
                new Reason(-10, "the median time to recover is 40 s, above 30 s"));
        assertThat(report.score().value()).isEqualTo(55).isEqualTo(report.score().explanation().stream().mapToInt(Reason::points).sum());
        assertThat(report.findings()).singleElement().satisfies(row -> {
            assertThat(row.open()).isTrue();
            assertThat(row.runs()).isEqualTo(3);
            assertThat(row.lastRun()).isEqualTo("r4");
            assertThat(row.firstSeen()).isBefore(row.lastSeen());
        });
    }

    @Test
    void aFindingTheNewestDrawnRunNoLongerShowsIsResolvedAndOpenOnesCostAtMostThirty() {
        Finding timeout = finding(Kind.MISSING_TIMEOUT, "productpage", "reviews");
        Report fixed = report(run("reviews-delay", RunState.COMPLETED, "held", 1.0, false, List.of(timeout)),
                run("reviews-delay", RunState.COMPLETED, "held", 1.0, false, List.of()),
                run("reviews-delay", RunState.COMPLETED, "held", 1.0, false, null));
        assertThat(fixed.findings()).singleElement().satisfies(row -> assertThat(row.open()).as("the newest run's findings are not drawn; "
                + "the one before found none").isFalse());
        assertThat(fixed.score().value()).isEqualTo(100);
        assertThat(fixed.score().explanation()).contains(new Reason(0, "no open finding"), new Reason(0, "the median time to recover is 1.0 s"));

        List<Finding> four = List.of(timeout, finding(Kind.MISSING_RETRIES, "productpage", "reviews"),
                finding(Kind.ERRORS_SPREAD, "istio-ingressgateway", "reviews"),
                new Finding(Kind.BLIND_GUARDRAIL, "productpage", "reviews", "m", "e", "s", null, "reviews errors"));
        Report many = report(run("reviews-delay", RunState.COMPLETED, "held", 1.0, false, four));
        assertThat(many.score().explanation()).anySatisfy(reason -> assertThat(reason.points()).isEqualTo(-30));
        assertThat(many.score().value()).isEqualTo(70);
        assertThat(many.findings()).hasSize(4).allMatch(Report.FindingRow::open);
    }

    @Test
    void withoutAJudgedRunThereIsNoScoreAndTheReasonSaysWhy() {
        Report report = report(run("reviews-delay", RunState.FAILED, "lost", null, false, null),
                run("reviews-delay", RunState.CANCELLED, "policy", null, false, null));
        assertThat(report.score().value()).isNull();
        assertThat(report.score().explanation()).singleElement().satisfies(reason -> assertThat(reason.reason())
                .startsWith("no run wrote a fault rule and ended with a verdict on the services since 2026-11-01T00:00:00Z (1 FAILED"));
        assertThat(report.recovery().medianSeconds()).isNull();
    }
}

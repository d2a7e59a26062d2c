package dev.faultline.resilience;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.faultline.resilience.Report.FindingRow;
import dev.faultline.resilience.Report.Reason;
import dev.faultline.run.Run;
import dev.faultline.run.RunState;
import dev.faultline.run.TimelineKind;

/**
 * A report from the runs of a period, pure. The score starts at {@value #START} and loses:
 * <ul>
 * <li>up to {@value #VERDICT_POINTS} for the share of judged runs that broke the steady state (DEVIATED, or
 * ABORTED by a guardrail); aborts by a person, the kill switch or a lost owner, and FAILED runs, say nothing of
 * the services and are not counted;
 * <li>{@value #FINDING_POINTS} for each open finding, at most {@value #FINDINGS_MOST};
 * <li>{@value #SLOW_POINTS} when the median time to recover is above {@value #SLOW_SECONDS} s.
 * </ul>
 * No run judged, no score.
 */
final class ReportRules {

    static final int START = 100;
    static final int VERDICT_POINTS = 50;
    static final int FINDING_POINTS = 10;
    static final int FINDINGS_MOST = 30;
    static final int SLOW_POINTS = 10;
    static final double SLOW_SECONDS = 30;

    /** A run of the period with its findings, null while they are not drawn. */
    record Entry(Run run, List<Finding> findings) {
    }

    private ReportRules() {
    }

    /** @param entries the runs, newest first */
    static Report of(String experiment, String namespace, Instant from, Instant to, List<Entry> entries) {
        int completed = 0;
        int deviated = 0;
        int aborted = 0;
        int byGuardrail = 0;
        int failed = 0;
        int cancelled = 0;
        List<Double> recoveries = new ArrayList<>();
        int notRecovered = 0;
        List<Report.RunRow> rows = new ArrayList<>();
        for (Entry entry : entries) {
            Run run = entry.run();
            boolean wrote = run.rules().stream().anyMatch(rule -> rule.appliedAt() != null);
            boolean lost = run.timeline().stream().anyMatch(e -> e.type() == TimelineKind.NOT_RECOVERED);
            rows.add(new Report.RunRow(run.id(), run.experiment(), run.startedAt(), run.endedAt(), run.verdict(), run.reason(),
                    run.recovery() == null ? null : run.recovery().seconds(), lost, wrote, entry.findings() == null ? null : entry.findings().size()));
            if (run.verdict() == null) {
                continue;
            }
            if (!wrote || run.verdict() == RunState.CANCELLED) {
                cancelled += run.verdict() == RunState.CANCELLED ? 1 : 0;
                continue;
            }
            switch (run.verdict()) {
                case COMPLETED -> completed++;
                case DEVIATED -> deviated++;
                case ABORTED -> {
                    aborted++;
                    byGuardrail += run.reason() != null && run.reason().startsWith("guardrail") ? 1 : 0;
                }
                case FAILED -> failed++;
                default -> {
                }
            }
            if (run.recovery() != null) {
                recoveries.add(run.recovery().seconds());
            }
            notRecovered += lost ? 1 : 0;
        }
        int judged = completed + deviated + aborted;
        Report.Verdicts verdicts = new Report.Verdicts(judged, completed, deviated, aborted, byGuardrail, failed, cancelled);
        recoveries.sort(Comparator.naturalOrder());
        Double median = recoveries.isEmpty() ? null : recoveries.size() % 2 == 1 ? recoveries.get(recoveries.size() / 2)
                : (recoveries.get(recoveries.size() / 2 - 1) + recoveries.get(recoveries.size() / 2)) / 2;
        Report.Recovery recovery = new Report.Recovery(recoveries.size(), median, recoveries.isEmpty() ? null : recoveries.getLast(), notRecovered);
        List<FindingRow> findings = findings(entries);
        return new Report(experiment, namespace, from, to, verdicts, recovery, rows, findings, score(verdicts, recovery, findings, from));
    }

    private record Key(String experiment, Finding.Kind kind, String caller, String service, String guardrail) {
    }

    /** Every finding of the period, by experiment, kind, caller, service and guardrail: open when its experiment's newest drawn run shows it. */
    private static List<FindingRow> findings(List<Entry> entries) {
        Map<String, String> newestDrawn = new LinkedHashMap<>();
        for (Entry entry : entries) {
            if (entry.findings() != null) {
                newestDrawn.putIfAbsent(entry.run().experiment(), entry.run().id());
            }
        }
        Map<Key, FindingRow> rows = new LinkedHashMap<>();
        Map<Key, java.util.Set<String>> runs = new LinkedHashMap<>();
        for (Entry entry : entries) { // newest first: the first seen of a key is its newest
            if (entry.findings() == null) {
                continue;
            }
            Run run = entry.run();
            Instant at = run.endedAt() != null ? run.endedAt() : run.createdAt();
            boolean newest = run.id().equals(newestDrawn.get(run.experiment()));
            for (Finding finding : entry.findings()) {
                Key key = new Key(run.experiment(), finding.kind(), finding.caller(), finding.service(), finding.guardrail());
                runs.computeIfAbsent(key, k -> new java.util.HashSet<>()).add(run.id());
                FindingRow seen = rows.get(key);
                rows.put(key, seen == null
                        ? new FindingRow(finding.kind(), run.experiment(), finding.caller(), finding.service(), finding.guardrail(), newest,
                                finding.message(), 1, at, at, run.id())
                        : new FindingRow(seen.kind(), seen.experiment(), seen.caller(), seen.service(), seen.guardrail(), seen.open(),
                                seen.message(), runs.get(key).size(), at, seen.lastSeen(), seen.lastRun()));
            }
        }
        List<FindingRow> sorted = new ArrayList<>(rows.values());
        sorted.sort(Comparator.comparing((FindingRow row) -> !row.open()).thenComparing(FindingRow::lastSeen, Comparator.reverseOrder()));
        return sorted;
    }

    private static Report.Score score(Report.Verdicts verdicts, Report.Recovery recovery, List<FindingRow> findings, Instant from) {
        if (verdicts.judged() == 0) {
            return new Report.Score(null, List.of(new Reason(0, "no run wrote a fault rule and ended with a verdict on the services since "
                    + from + (verdicts.failed() > 0 ? " (" + verdicts.failed() + " FAILED: Faultline or the cluster failed)" : "")
                    + ": nothing to score")));
        }
        List<Reason> reasons = new ArrayList<>();
        reasons.add(new Reason(START, "the start"));
        int broke = verdicts.deviated() + verdicts.abortedByGuardrail();
        int lost = (int) Math.round(VERDICT_POINTS * (double) broke / verdicts.judged());
        reasons.add(new Reason(-lost, broke + " of " + verdicts.judged() + " judged runs broke the steady state (" + verdicts.deviated()
                + " DEVIATED, " + verdicts.abortedByGuardrail() + " aborted by a guardrail)"
                + (verdicts.aborted() > verdicts.abortedByGuardrail() ? "; " + (verdicts.aborted() - verdicts.abortedByGuardrail())
                        + " aborted by a person, the kill switch or a lost owner count as holding" : "")));
        List<FindingRow> open = findings.stream().filter(FindingRow::open).toList();
        reasons.add(new Reason(-Math.min(FINDINGS_MOST, FINDING_POINTS * open.size()), open.isEmpty() ? "no open finding"
                : open.size() + " open finding" + (open.size() == 1 ? "" : "s") + ": " + String.join(", ", open.stream()
                        .map(row -> row.kind().key() + " (" + (row.caller() == null ? "" : row.caller() + " → ") + row.service() + ")").toList())
                        + (open.size() * FINDING_POINTS > FINDINGS_MOST ? " (at most " + FINDINGS_MOST + " points)" : "")));
        if (recovery.medianSeconds() != null && recovery.medianSeconds() > SLOW_SECONDS) {
            reasons.add(new Reason(-SLOW_POINTS, "the median time to recover is " + Math.round(recovery.medianSeconds()) + " s, above "
                    + Math.round(SLOW_SECONDS) + " s"));
        } else if (recovery.medianSeconds() != null) {
            reasons.add(new Reason(0, "the median time to recover is " + Math.round(recovery.medianSeconds() * 10) / 10.0 + " s"));
        }
        int value = Math.max(0, reasons.stream().mapToInt(Reason::points).sum());
        return new Report.Score(value, List.copyOf(reasons));
    }
}

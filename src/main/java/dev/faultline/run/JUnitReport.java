package dev.faultline.run;

import java.time.Duration;
import java.util.List;

import dev.faultline.experiment.spec.Experiment;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.experiment.spec.Guardrail;
import dev.faultline.experiment.spec.Probe;

/**
 * A run as JUnit XML, so that a pipeline step can gate on it: one test case per steady-state probe
 * and guardrail, failures carrying the reason, and one for the run's verdict.
 */
public final class JUnitReport {

    private JUnitReport() {
    }

    public static String of(Run run, List<Run.Sample> samples) {
        Experiment experiment = ExperimentCodec.decode(run.document().toString(), dev.faultline.experiment.spec.DocumentFormat.JSON);
        StringBuilder cases = new StringBuilder();
        int tests = 0;
        int failures = 0;
        int skipped = 0;
        List<Probe> probes = experiment.spec().steadyState() == null ? List.of() : experiment.spec().steadyState().probes();
        for (int i = 0; i < probes.size(); i++) {
            String path = "spec.steadyState.probes[" + i + "]";
            List<Run.Sample> mine = samples.stream().filter(s -> s.check().equals(path)).toList();
            String failure = failure(mine);
            tests++;
            failures += failure != null ? 1 : 0;
            skipped += mine.isEmpty() ? 1 : 0;
            testCase(cases, "steady state", probes.get(i).name(), failure, mine.isEmpty());
        }
        List<Guardrail> guardrails = experiment.spec().guardrails();
        for (int i = 0; i < guardrails.size(); i++) {
            String path = "spec.guardrails[" + i + "]";
            boolean checked = samples.stream().anyMatch(s -> s.check().equals(path));
            String name = guardrails.get(i).name();
            String failure = run.state() == RunState.ABORTED && run.reason() != null && run.reason().contains("guardrail \"" + name + "\"")
                    ? run.reason() : null;
            tests++;
            failures += failure != null ? 1 : 0;
            skipped += !checked && failure == null ? 1 : 0;
            testCase(cases, "guardrail", name, failure, !checked && failure == null);
        }
        String recoveryFailure = notRecovered(run);
        if (run.recovery() != null || recoveryFailure != null) {
            tests++;
            failures += recoveryFailure != null ? 1 : 0;
            testCase(cases, "run", "recovery", recoveryFailure, false, run.recovery() != null ? run.recovery().seconds() : null);
        }
        tests++;
        String verdictFailure = run.state() == RunState.COMPLETED ? null
                : run.state().isTerminal() ? run.state() + ": " + run.reason() : "the run has not ended (" + run.state() + ")";
        failures += verdictFailure != null ? 1 : 0;
        testCase(cases, "run", "verdict", verdictFailure, false);
        double seconds = run.startedAt() != null && run.endedAt() != null
                ? Duration.between(run.startedAt(), run.endedAt()).toMillis() / 1000.0 : 0;
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"" + xml("faultline." + run.experiment()) + "\" tests=\""
                + tests + "\" failures=\"" + failures + "\" errors=\"0\" skipped=\"" + skipped + "\" time=\"" + seconds
                + "\" timestamp=\"" + (run.startedAt() != null ? run.startedAt() : run.createdAt()) + "\">\n"
                + "  <properties><property name=\"run\" value=\"" + xml(run.id()) + "\"/><property name=\"revision\" value=\""
                + run.revision() + "\"/>" + recovered(run) + removed(run) + "</properties>\n" + cases + "</testsuite>\n";
    }

    /**
     * The first failing check, except while waiting for the recovery: there the steady state may fail
     * until it holds again, and only the last sample says whether it did.
     */
    private static String failure(List<Run.Sample> samples) {
        String first = samples.stream().filter(s -> !s.passed() && !recovering(s)).map(s -> s.phase() + ": " + s.reason())
                .findFirst().orElse(null);
        if (first != null) {
            return first;
        }
        List<Run.Sample> after = samples.stream().filter(JUnitReport::recovering).toList();
        Run.Sample last = after.isEmpty() ? null : after.get(after.size() - 1);
        return last != null && !last.passed() ? last.phase() + ": " + last.reason() : null;
    }

    private static boolean recovering(Run.Sample sample) {
        return "POSTCHECK".equals(sample.phase()) || "RECOVERY".equals(sample.phase());
    }

    /** Why the steady state is known not to have come back, or null. */
    private static String notRecovered(Run run) {
        if (run.recovery() != null) {
            return null;
        }
        return run.timeline().stream().filter(entry -> entry.type() == TimelineKind.NOT_RECOVERED).map(Run.TimelineEntry::message)
                .findFirst().orElse(run.state() == RunState.DEVIATED ? run.reason() : null);
    }

    private static String recovered(Run run) {
        return run.recovery() == null ? ""
                : "<property name=\"recoverySeconds\" value=\"" + run.recovery().seconds() + "\"/><property name=\"holdsAgainAt\" value=\""
                        + run.recovery().holdsAgainAt() + "\"/>";
    }

    /** A run whose samples retention removed says so: its checks read as not checked, not as passed. */
    private static String removed(Run run) {
        return run.samplesRemovedAt() == null ? ""
                : "<property name=\"samplesRemovedAt\" value=\"" + run.samplesRemovedAt() + "\"/>";
    }

    private static void testCase(StringBuilder cases, String kind, String name, String failure, boolean skipped) {
        testCase(cases, kind, name, failure, skipped, null);
    }

    private static void testCase(StringBuilder cases, String kind, String name, String failure, boolean skipped, Double seconds) {
        cases.append("  <testcase classname=\"").append(xml(kind)).append("\" name=\"").append(xml(name)).append('"');
        if (seconds != null) {
            cases.append(" time=\"").append(seconds).append('"');
        }
        if (failure == null && !skipped) {
            cases.append("/>\n");
            return;
        }
        cases.append(">\n");
        if (failure != null) {
            cases.append("    <failure message=\"").append(xml(failure)).append("\">").append(xml(failure)).append("</failure>\n");
        } else {
            cases.append("    <skipped message=\"not checked: the run ended before\"/>\n");
        }
        cases.append("  </testcase>\n");
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

package dev.faultline.run;

/** What a check of a run is: a guardrail (watched while the fault is in, aborts the run) or a steady-state probe. */
public enum CheckKind {
    GUARDRAIL, PROBE;

    private static final String GUARDRAILS = "spec.guardrails[";

    /** The kind of the check at {@code path} in the experiment ({@code spec.guardrails[0]}, {@code spec.steadyState.probes[1]}). */
    public static CheckKind of(String path) {
        return path != null && path.startsWith(GUARDRAILS) ? GUARDRAIL : PROBE;
    }

    /** The check's index in its list: 2 for {@code spec.guardrails[2]}; -1 when the path has none. */
    public static int index(String path) {
        int open = path == null ? -1 : path.indexOf('[');
        int close = open < 0 ? -1 : path.indexOf(']', open);
        return close < 0 ? -1 : Integer.parseInt(path.substring(open + 1, close));
    }
}

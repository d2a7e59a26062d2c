package dev.faultline;

import java.util.regex.Pattern;

/** The naming rules every document shares, once: Kubernetes-style DNS labels, and tags. */
public final class Names {

    /** A DNS label (RFC 1123), as Kubernetes names namespaces and services: what experiments, channels and schedules are named by. */
    public static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    /** What a DNS label must be, for the error on its field. */
    public static final String DNS_LABEL_RULE = "must be a DNS label (lower-case letters, digits and '-', at most 63)";
    /** A tag: letters, digits, '-', '_' and '.', 1 to 63, starting and ending with a letter or digit (as a Kubernetes label value). */
    public static final Pattern TAG = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    private Names() {
    }

    public static boolean isDnsLabel(String name) {
        return name != null && DNS_LABEL.matcher(name).matches();
    }
}

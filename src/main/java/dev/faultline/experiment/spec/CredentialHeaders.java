package dev.faultline.experiment.spec;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.faultline.FieldError;

/**
 * Headers whose names say they carry a credential ({@code Authorization}, {@code Cookie}, anything with
 * {@code token}, {@code secret}, {@code password}...). Written as literals, their values leave Faultline
 * only as {@value #MASK}; a document sent back with {@value #MASK} keeps the value stored before.
 */
public final class CredentialHeaders {

    public static final String MASK = "********";

    private static final Set<String> NAMES = Set.of("authorization", "proxy-authorization", "cookie");
    private static final List<String> PARTS = List.of("token", "secret", "password", "passwd", "api-key", "apikey", "auth",
            "credential", "session");

    private CredentialHeaders() {
    }

    public static boolean isCredential(String header) {
        String name = header.toLowerCase(Locale.ROOT);
        return NAMES.contains(name) || PARTS.stream().anyMatch(name::contains);
    }

    /** {@code experiment} as anyone may see it: every credential-like literal header shown as {@value #MASK}. */
    public static Experiment masked(Experiment experiment) {
        return HttpChecks.rewriteHeaders(experiment, check -> {
            Map<String, HeaderValue> headers = new LinkedHashMap<>();
            check.http().headers().forEach((name, value) -> headers.put(name,
                    value instanceof HeaderValue.Literal && isCredential(name) ? new HeaderValue.Literal(MASK) : value));
            return headers;
        });
    }

    /**
     * A stored document's JSON with every credential-like literal header shown as {@value #MASK}: what a run stored
     * before documents were masked is shown as any other. Changes {@code document} and returns it.
     */
    public static JsonNode masked(JsonNode document) {
        JsonNode spec = document.path("spec");
        List<JsonNode> checks = new ArrayList<>();
        spec.path("steadyState").path("probes").forEach(checks::add);
        spec.path("guardrails").forEach(checks::add);
        for (JsonNode check : checks) {
            if (check.path("http").path("headers") instanceof ObjectNode headers) {
                headers.properties().forEach(header -> {
                    if (header.getValue().isValueNode() && isCredential(header.getKey())) {
                        header.setValue(TextNode.valueOf(MASK));
                    }
                });
            }
        }
        return document;
    }

    /**
     * {@code incoming} with each credential-like literal that reads {@value #MASK} given back the value that
     * {@code current} stores for the same check (a probe or guardrail of the same name, still calling the same
     * scheme, host and port) and header; each one without such a value is an error at its field. A check that now
     * calls another host gets no stored value: whoever may edit a document but never saw its credential could
     * otherwise send it to a host of their choosing.
     */
    public static Experiment unmasked(Experiment incoming, Optional<Experiment> current, List<FieldError> errors) {
        List<HttpChecks.At> before = current.map(experiment -> HttpChecks.of(experiment.spec())).orElse(List.of());
        return HttpChecks.rewriteHeaders(incoming, check -> {
            Map<String, HeaderValue> headers = new LinkedHashMap<>();
            check.http().headers().forEach((name, value) -> {
                if (isCredential(name) && value instanceof HeaderValue.Literal literal && literal.value().equals(MASK)) {
                    Optional<HeaderValue> kept = before.stream()
                            .filter(old -> old.guardrail() == check.guardrail() && old.name().equals(check.name())
                                    && sameOrigin(old.http().url(), check.http().url()))
                            .flatMap(old -> old.http().headers().entrySet().stream())
                            .filter(old -> old.getKey().equalsIgnoreCase(name) && old.getValue() instanceof HeaderValue.Literal)
                            .map(Map.Entry::getValue).findFirst();
                    if (kept.isEmpty()) {
                        errors.add(new FieldError(check.headerPath(name),
                                "is masked: send the value (the stored one is kept only while the check calls the same scheme, host and port), "
                                        + "or use valueFrom: {secret: NAME}"));
                    }
                    headers.put(name, kept.orElse(value));
                } else {
                    headers.put(name, value);
                }
            });
            return headers;
        });
    }

    /** Whether two check URLs call the same scheme, host and port (as written: any doubt is "no"). */
    private static boolean sameOrigin(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        try {
            URI one = new URI(a);
            URI other = new URI(b);
            return one.getScheme() != null && one.getHost() != null && one.getScheme().equalsIgnoreCase(other.getScheme())
                    && one.getHost().equalsIgnoreCase(other.getHost()) && port(one) == port(other);
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static int port(URI url) {
        return url.getPort() != -1 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }
}

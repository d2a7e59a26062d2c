package dev.faultline.playground;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;

import dev.faultline.experiment.spec.Target;

/**
 * Which route of a VirtualService Istio sends a request to, written from Istio's documentation of
 * {@code HTTPMatchRequest} and independently of Faultline's planner, so tests can hold the planner's
 * routes against it: the first route with no match or with a match block whose every field holds.
 */
public final class IstioRouting {

    private IstioRouting() {
    }

    /** A mesh request as the proxy sees it: lowercase header names, the URI's path and its query parameters. */
    public record Request(String method, String scheme, String authority, String path, Map<String, String> query,
            Map<String, String> headers, int port, Map<String, String> sourceLabels, String sourceNamespace) {
    }

    /** The index of the route in {@code virtualService} that takes {@code request}, or -1 when none does. */
    public static int route(JsonNode virtualService, Request request) {
        JsonNode http = virtualService.path("spec").path("http");
        for (int i = 0; i < http.size(); i++) {
            if (matches(http.get(i), request)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether the route takes the request when it gets to see it. */
    public static boolean matches(JsonNode route, Request request) {
        JsonNode blocks = route.path("match");
        if (blocks.isMissingNode() || blocks.isEmpty()) {
            return true;
        }
        for (JsonNode block : blocks) {
            if (blockMatches(block, request)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a Faultline target's match selects the request. */
    public static boolean matches(Target.Match match, Request request) {
        if (match == null) {
            return true;
        }
        if (!value(match.uri(), request.path()) || !value(match.scheme(), request.scheme())
                || !value(match.method(), request.method()) || !value(match.authority(), request.authority())) {
            return false;
        }
        for (Map.Entry<String, Target.StringMatch> header : match.headers().entrySet()) {
            if (!value(header.getValue(), request.headers().get(header.getKey()))) {
                return false;
            }
        }
        for (Map.Entry<String, Target.StringMatch> header : match.withoutHeaders().entrySet()) {
            if (value(header.getValue(), request.headers().get(header.getKey()))) {
                return false;
            }
        }
        for (Map.Entry<String, Target.StringMatch> param : match.queryParams().entrySet()) {
            if (!value(param.getValue(), request.query().get(param.getKey()))) {
                return false;
            }
        }
        for (Map.Entry<String, String> label : match.sourceLabels().entrySet()) {
            if (!label.getValue().equals(request.sourceLabels().get(label.getKey()))) {
                return false;
            }
        }
        return (match.port() == null || match.port() == request.port())
                && (match.sourceNamespace() == null || match.sourceNamespace().equals(request.sourceNamespace()));
    }

    private static boolean blockMatches(JsonNode block, Request request) {
        boolean ignoreCase = block.path("ignoreUriCase").asBoolean(false);
        for (Iterator<Map.Entry<String, JsonNode>> fields = block.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            boolean holds = switch (field.getKey()) {
                case "name", "statPrefix", "ignoreUriCase" -> true;
                case "uri" -> ignoreCase && !value.has("regex")
                        ? value(value, request.path() == null ? null : request.path().toLowerCase(Locale.ROOT), true)
                        : value(value, request.path(), false);
                case "scheme" -> value(value, request.scheme(), false);
                case "method" -> value(value, request.method(), false);
                case "authority" -> value(value, request.authority(), false);
                case "headers" -> all(value, request.headers(), true);
                case "withoutHeaders" -> all(value, request.headers(), false);
                case "queryParams" -> all(value, request.query(), true);
                case "port" -> value.asInt() == request.port();
                case "sourceLabels" -> labels(value, request.sourceLabels());
                case "sourceNamespace" -> value.asText().equals(request.sourceNamespace());
                case "gateways" -> value.isEmpty() || value.toString().contains("\"mesh\"");
                default -> throw new IllegalArgumentException("IstioRouting does not know match field " + field.getKey());
            };
            if (!holds) {
                return false;
            }
        }
        return true;
    }

    /** Every entry present and matching ({@code required}), or none present and matching (withoutHeaders). */
    private static boolean all(JsonNode conditions, Map<String, String> values, boolean required) {
        for (Iterator<Map.Entry<String, JsonNode>> it = conditions.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> condition = it.next();
            if (value(condition.getValue(), values.get(condition.getKey()), false) != required) {
                return false;
            }
        }
        return true;
    }

    private static boolean labels(JsonNode wanted, Map<String, String> labels) {
        for (Iterator<Map.Entry<String, JsonNode>> it = wanted.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> label = it.next();
            if (!label.getValue().asText().equals(labels.get(label.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** An absent value never matches; {@code {}} matches any present value; regexes must match the whole value. */
    private static boolean value(JsonNode condition, String actual, boolean lowerCase) {
        if (actual == null) {
            return false;
        }
        if (condition.has("exact")) {
            String exact = condition.get("exact").asText();
            return actual.equals(lowerCase ? exact.toLowerCase(Locale.ROOT) : exact);
        }
        if (condition.has("prefix")) {
            String prefix = condition.get("prefix").asText();
            return actual.startsWith(lowerCase ? prefix.toLowerCase(Locale.ROOT) : prefix);
        }
        if (condition.has("regex")) {
            return Pattern.matches(condition.get("regex").asText(), actual);
        }
        return true;
    }

    private static boolean value(Target.StringMatch condition, String actual) {
        if (condition == null) {
            return true;
        }
        if (actual == null) {
            return false;
        }
        if (condition.exact() != null) {
            return actual.equals(condition.exact());
        }
        return condition.prefix() != null ? actual.startsWith(condition.prefix()) : Pattern.matches(condition.regex(), actual);
    }
}

package dev.faultline.interop;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The activities (probes and actions) of one experiment: what a {@code ref} names, and whether an
 * entry is an activity Chaos Toolkit would accept.
 */
final class Activities {

    /** The method's activities and the hypothesis' probes by name, for {@code ref}; the hypothesis wins a tie. */
    private final Map<String, JsonNode> byName = new HashMap<>();
    private final ImportFindings findings;

    Activities(JsonNode source, ImportFindings findings) {
        this.findings = findings;
        JsonNode method = source.get("method");
        if (method != null && method.isArray()) {
            method.forEach(a -> {
                if (a.isObject() && a.path("name").isTextual()) {
                    byName.put(a.path("name").asText(), a);
                }
            });
        }
        JsonNode probes = source.path("steady-state-hypothesis").path("probes");
        if (probes.isArray()) {
            probes.forEach(a -> {
                if (a.isObject() && a.path("name").isTextual()) {
                    byName.put(a.path("name").asText(), a);
                }
            });
        }
    }

    /** The activity itself, or the one a {@code ref} names; empty (with an error) when invalid. */
    Optional<JsonNode> resolve(JsonNode entry, String path) {
        if (!entry.isObject() || entry.isEmpty()) {
            findings.error(path, "must be an activity: an object with type, name and provider, or a ref");
            return Optional.empty();
        }
        if (entry.has("ref")) {
            JsonNode ref = entry.get("ref");
            if (!ref.isTextual() || ref.asText().isEmpty()) {
                findings.error(path + ".ref", "must name a probe or action");
                return Optional.empty();
            }
            JsonNode target = byName.get(ref.asText());
            if (target == null) {
                findings.error(path + ".ref", "refers to \"" + ref.asText() + "\", which is no probe or action of this experiment");
                return Optional.empty();
            }
            return valid(target, path) ? Optional.of(target) : Optional.empty();
        }
        return valid(entry, path) ? Optional.of(entry) : Optional.empty();
    }

    /** Whether {@code activity} is one Chaos Toolkit accepts; if not, the errors are listed at {@code path}. */
    boolean valid(JsonNode activity, String path) {
        int before = findings.errorCount();
        String type = activity.path("type").asText(null);
        if (!"probe".equals(type) && !"action".equals(type)) {
            findings.error(path + ".type", "must be probe or action");
        }
        if (!activity.path("name").isTextual() || activity.path("name").asText().isEmpty()) {
            findings.error(path + ".name", "is required: a non-empty string");
        }
        JsonNode provider = activity.get("provider");
        if (provider == null || !provider.isObject()) {
            findings.error(path + ".provider", "is required: an object with a type of python, process or http");
        } else {
            switch (provider.path("type").asText("")) {
                case "python" -> {
                    requireText(provider, "module", path + ".provider");
                    requireText(provider, "func", path + ".provider");
                    if (provider.has("arguments") && !provider.get("arguments").isObject()) {
                        findings.error(path + ".provider.arguments", "must be an object of the function's arguments");
                    }
                }
                case "process" -> requireText(provider, "path", path + ".provider");
                case "http" -> {
                    requireText(provider, "url", path + ".provider");
                    if (provider.has("headers") && !provider.get("headers").isObject()) {
                        findings.error(path + ".provider.headers", "must be an object of header names and values");
                    }
                }
                default -> findings.error(path + ".provider.type", "must be python, process or http");
            }
        }
        JsonNode pauses = activity.get("pauses");
        if (pauses != null) {
            if (!pauses.isObject()) {
                findings.error(path + ".pauses", "must be an object with before and/or after, in seconds");
            } else {
                for (String when : List.of("before", "after")) {
                    JsonNode pause = pauses.get(when);
                    if (pause != null && !(pause.isNumber() && pause.asDouble() >= 0) && !(pause.isTextual() && pause.asText().matches("\\$\\{\\w+}"))) {
                        findings.error(path + ".pauses." + when, "must be a number of seconds");
                    }
                }
            }
        }
        if (activity.has("background") && !activity.get("background").isBoolean()) {
            findings.error(path + ".background", "must be true or false");
        }
        return findings.errorCount() == before;
    }

    void requireText(JsonNode node, String key, String path) {
        if (!node.path(key).isTextual() || node.path(key).asText().isEmpty()) {
            findings.error(path + "." + key, "is required: a non-empty string");
        }
    }

    /** {@code module.func} of a Python provider, to name it in a reason. */
    static String function(JsonNode activity) {
        JsonNode provider = activity.path("provider");
        return provider.path("module").asText() + "." + provider.path("func").asText();
    }

    /** Whether the activity calls one of {@code functions} (any, when none) of the Python {@code module}. */
    static boolean python(JsonNode activity, String module, String... functions) {
        JsonNode provider = activity.path("provider");
        return "python".equals(provider.path("type").asText()) && module.equals(provider.path("module").asText())
                && (functions.length == 0 || List.of(functions).contains(provider.path("func").asText()));
    }
}

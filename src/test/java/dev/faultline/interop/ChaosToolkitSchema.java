package dev.faultline.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The structural checks of {@code chaos validate} (chaostoolkit-lib's {@code ensure_experiment_is_valid},
 * {@code ensure_activity_is_valid}, {@code ensure_hypothesis_tolerance_is_valid}), for the experiments
 * Faultline exports: PyPI is out of reach here, so the CLI itself cannot run in the suite. What it adds
 * beyond these — importing the Python modules named — needs chaostoolkit-istio, -prometheus and
 * -addons installed, which is the user's side.
 */
final class ChaosToolkitSchema {

    private ChaosToolkitSchema() {
    }

    static void assertValid(JsonNode experiment) {
        List<String> problems = new ArrayList<>();
        text(experiment, "title", "", problems);
        text(experiment, "description", "", problems);
        if (experiment.has("tags")) {
            experiment.path("tags").forEach(tag -> {
                if (!tag.isTextual() || tag.asText().isEmpty()) {
                    problems.add("tags: " + tag);
                }
            });
        }
        if (!experiment.path("method").isArray()) {
            problems.add("method: required list");
        }
        JsonNode hypothesis = experiment.get("steady-state-hypothesis");
        if (hypothesis != null) {
            text(hypothesis, "title", "steady-state-hypothesis.", problems);
            JsonNode probes = hypothesis.path("probes");
            for (int i = 0; i < probes.size(); i++) {
                activity(probes.get(i), "steady-state-hypothesis.probes[" + i + "]", problems);
                tolerance(probes.get(i).get("tolerance"), "steady-state-hypothesis.probes[" + i + "].tolerance", problems);
            }
        }
        for (String list : List.of("method", "rollbacks")) {
            JsonNode activities = experiment.path(list);
            for (int i = 0; i < activities.size(); i++) {
                activity(activities.get(i), list + "[" + i + "]", problems);
                JsonNode percentage = activities.get(i).path("provider").path("arguments").get("percentage");
                if (percentage != null && !percentage.isNumber()) {
                    problems.add(list + "[" + i + "]: chaosistio wraps percentage itself; it must be a number");
                }
            }
        }
        JsonNode controls = experiment.path("controls");
        for (int i = 0; i < controls.size(); i++) {
            text(controls.get(i), "name", "controls[" + i + "].", problems);
            text(controls.get(i).path("provider"), "module", "controls[" + i + "].provider.", problems);
            JsonNode probes = controls.get(i).path("provider").path("arguments").path("probes");
            for (int j = 0; j < probes.size(); j++) {
                String path = "controls[" + i + "].provider.arguments.probes[" + j + "]";
                activity(probes.get(j), path, problems);
                tolerance(probes.get(j).get("tolerance"), path + ".tolerance", problems);
            }
        }
        assertThat(problems).as("what chaos validate would refuse in\n" + experiment.toPrettyString()).isEmpty();
    }

    private static void activity(JsonNode activity, String path, List<String> problems) {
        if (activity.has("ref")) {
            text(activity, "ref", path + ".", problems);
            return;
        }
        if (!Set.of("probe", "action").contains(activity.path("type").asText())) {
            problems.add(path + ".type: probe or action");
        }
        text(activity, "name", path + ".", problems);
        JsonNode provider = activity.path("provider");
        switch (provider.path("type").asText()) {
            case "python" -> {
                text(provider, "module", path + ".provider.", problems);
                text(provider, "func", path + ".provider.", problems);
            }
            case "process" -> text(provider, "path", path + ".provider.", problems);
            case "http" -> {
                text(provider, "url", path + ".provider.", problems);
                if (provider.has("headers") && !provider.get("headers").isObject()) {
                    problems.add(path + ".provider.headers: object");
                }
            }
            default -> problems.add(path + ".provider.type: python, process or http");
        }
        activity.path("pauses").forEach(pause -> {
            if (!pause.isNumber()) {
                problems.add(path + ".pauses: numbers");
            }
        });
    }

    private static void tolerance(JsonNode tolerance, String path, List<String> problems) {
        if (tolerance == null || tolerance.isNull() || tolerance.isFloatingPointNumber()) {
            problems.add(path + ": bool, int, str, list or object");
            return;
        }
        if (tolerance.isObject()) {
            switch (tolerance.path("type").asText()) {
                case "regex" -> text(tolerance, "pattern", path + ".", problems);
                case "jsonpath" -> text(tolerance, "path", path + ".", problems);
                case "range" -> {
                    JsonNode range = tolerance.path("range");
                    if (range.size() != 2 || !range.get(0).isNumber() || !range.get(1).isNumber()) {
                        problems.add(path + ".range: two numbers");
                    }
                }
                case "probe" -> activity(tolerance, path, problems);
                default -> problems.add(path + ".type: probe, regex, jsonpath or range");
            }
        }
    }

    private static void text(JsonNode node, String key, String prefix, List<String> problems) {
        if (!node.path(key).isTextual() || node.path(key).asText().isBlank()) {
            problems.add(prefix + key + ": a non-empty string");
        }
    }
}

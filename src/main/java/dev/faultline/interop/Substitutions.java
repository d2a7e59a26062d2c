package dev.faultline.interop;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Chaos Toolkit's {@code ${name}} substitution: a name is looked up in {@code configuration} first,
 * then in every {@code secrets} scope. Values are resolved the way {@code chaos run} would where
 * that is safe on a server: plain values as they are; an environment variable ({@code {"type":
 * "env", "key"}}) from a value the caller passed for that name ({@code var}, as {@code chaos run
 * --var} does), else from Faultline's own environment only when the operator allowed that variable,
 * else from its {@code default}. Which names were used is remembered, so that the importer can list
 * entries nothing it mapped needed.
 */
final class Substitutions {

    /** {@code ${name}} or {@code $name}; {@code $$} is a literal dollar. */
    private static final Pattern REFERENCE = Pattern.compile("\\$(?:\\$|\\{([_a-zA-Z][_a-zA-Z0-9]*)}|([_a-zA-Z][_a-zA-Z0-9]*))");

    /** A name's value, or why it has none; {@code secret} is the Faultline secret it becomes when it comes from {@code secrets}. */
    record Value(JsonNode value, String problem, String secret) {

        Value(JsonNode value, String problem) {
            this(value, problem, null);
        }

        Value asSecret(String name) {
            return new Value(value, problem, name);
        }

        @Override
        public String toString() {
            return secret == null ? "Value[" + value + ", " + problem + "]" : "Value[secret " + secret + "]";
        }
    }

    private final Map<String, Value> values = new LinkedHashMap<>();
    /** Where each name was declared: {@code configuration.x} or {@code secrets.scope.x}. */
    private final Map<String, String> declaredAt = new LinkedHashMap<>();
    private final Set<String> used = new LinkedHashSet<>();
    /** The secrets a header became a reference to, each listed once. */
    private final Set<String> listed = new LinkedHashSet<>();
    private final Predicate<String> secretExists;

    /** {@code secretExists}: whether Faultline already stores a secret of that name. */
    Substitutions(JsonNode configuration, JsonNode secrets, Map<String, String> vars, Function<String, Optional<String>> environment,
            Predicate<String> secretExists) {
        this.secretExists = secretExists;
        if (configuration != null) {
            configuration.properties().forEach(entry -> {
                declaredAt.put(entry.getKey(), "configuration." + entry.getKey());
                values.put(entry.getKey(), resolve(entry.getValue(), vars.get(entry.getKey()), environment));
            });
        }
        if (secrets != null) {
            secrets.properties().forEach(scope -> scope.getValue().properties().forEach(entry -> {
                String name = entry.getKey();
                declaredAt.putIfAbsent(name, "secrets." + scope.getKey() + "." + name);
                values.putIfAbsent(name, resolve(entry.getValue(), null, environment)
                        .asSecret(ExperimentImport.slug(scope.getKey() + "-" + name, "imported-secret")));
            }));
        }
        vars.forEach((name, value) -> values.putIfAbsent(name, new Value(TextNode.valueOf(value), null)));
    }

    private static Value resolve(JsonNode declared, String var, Function<String, Optional<String>> environment) {
        if (var != null) {
            return new Value(TextNode.valueOf(var), null);
        }
        if (!declared.isObject() || !declared.has("type")) {
            return new Value(declared, null);
        }
        String type = declared.path("type").asText();
        if ("env".equals(type)) {
            String key = declared.path("key").asText();
            Optional<String> fromEnvironment = environment.apply(key);
            if (fromEnvironment.isPresent()) {
                return new Value(TextNode.valueOf(fromEnvironment.get()), null);
            }
            if (declared.has("default")) {
                return new Value(declared.get("default"), null);
            }
            return new Value(null, "the environment variable " + key + " has no default, and Faultline reads its own environment "
                    + "only for variables listed in faultline.import.allowed-env; pass the value as ?var=" + "<name>=<value>");
        }
        if ("vault".equals(type)) {
            return new Value(null, "a Vault secret; Faultline does not read Vault: pass the value as ?var=<name>=<value>");
        }
        if ("probe".equals(type)) {
            return new Value(null, "dynamic configuration runs a probe when the experiment starts; Faultline cannot");
        }
        return new Value(declared, null);
    }

    /**
     * Substitutes the references in every string of {@code node}. A string that is one reference
     * keeps the value's type, as in Chaos Toolkit. Problems (unknown or unresolvable names) are
     * reported to {@code problems} with the path, and the reference is left as written.
     */
    JsonNode apply(JsonNode node, String path, List<Unmapped> problems) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            return applyText(node.asText(), path, problems);
        }
        if (node.isObject()) {
            var copy = JsonNodeFactory.instance.objectNode();
            node.properties().forEach(e -> copy.set(e.getKey(), apply(e.getValue(), path + "." + e.getKey(), problems)));
            return copy;
        }
        if (node.isArray()) {
            var copy = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i < node.size(); i++) {
                copy.add(apply(node.get(i), path + "[" + i + "]", problems));
            }
            return copy;
        }
        return node;
    }

    /**
     * An HTTP check's headers, substituted as {@link #apply} does, except that a header whose value refers to a secret
     * becomes {@code {valueFrom: {secret: NAME}}}: its value is never written into the document, and the secret to
     * create is listed at {@code secrets.<scope>.<key>} in {@code problems}.
     */
    JsonNode headers(JsonNode headers, String path, List<Unmapped> problems) {
        if (headers == null || !headers.isObject()) {
            return apply(headers, path, problems);
        }
        ObjectNode copy = JsonNodeFactory.instance.objectNode();
        headers.properties().forEach(header -> {
            List<String> names = header.getValue().isTextual() ? namesIn(header.getValue().asText()) : List.of();
            Optional<String> secret = names.stream().filter(name -> values.containsKey(name) && values.get(name).secret() != null).findFirst();
            if (secret.isEmpty()) {
                copy.set(header.getKey(), apply(header.getValue(), path + "." + header.getKey(), problems));
                return;
            }
            used.addAll(names);
            String name = values.get(secret.get()).secret();
            ObjectNode reference = copy.putObject(header.getKey());
            reference.putObject("valueFrom").put("secret", name);
            if (listed.add(secret.get())) {
                problems.add(new Unmapped(declaredAt.get(secret.get()), secretExists.test(name)
                        ? "exists: the header refers to the stored secret " + name + ", which must hold the full header value"
                        : "not stored: create it with PUT /api/v1/secrets/" + name + " holding the full header value"));
            }
        });
        return copy;
    }

    /** The names {@code text} refers to, in order. */
    private static List<String> namesIn(String text) {
        return REFERENCE.matcher(text).results().map(match -> match.group(1) != null ? match.group(1) : match.group(2))
                .filter(Objects::nonNull).toList();
    }

    private JsonNode applyText(String text, String path, List<Unmapped> problems) {
        Matcher whole = REFERENCE.matcher(text);
        if (whole.matches() && !text.equals("$$")) {
            String name = whole.group(1) != null ? whole.group(1) : whole.group(2);
            Optional<JsonNode> value = lookup(name, path, problems);
            return value.orElse(TextNode.valueOf(text));
        }
        Matcher reference = REFERENCE.matcher(text);
        StringBuilder result = new StringBuilder();
        while (reference.find()) {
            String name = reference.group(1) != null ? reference.group(1) : reference.group(2);
            String replacement;
            if (name == null) {
                replacement = "$";
            } else {
                replacement = lookup(name, path, problems).map(v -> v.isValueNode() ? v.asText() : v.toString()).orElse(reference.group());
            }
            reference.appendReplacement(result, Matcher.quoteReplacement(replacement));
        }
        reference.appendTail(result);
        return TextNode.valueOf(result.toString());
    }

    private Optional<JsonNode> lookup(String name, String path, List<Unmapped> problems) {
        Value value = values.get(name);
        if (value == null) {
            problems.add(new Unmapped(path, "refers to ${" + name + "}, which is neither in configuration nor in secrets"));
            return Optional.empty();
        }
        used.add(name);
        if (value.secret() != null) {
            problems.add(new Unmapped(path, "refers to ${" + name + "}, a secret (" + declaredAt.get(name) + "), and is left as written: "
                    + "Faultline writes no secret into a document and sends one only as a whole HTTP header value "
                    + "({valueFrom: {secret: NAME}})"));
            return Optional.empty();
        }
        if (value.problem() != null) {
            problems.add(new Unmapped(path, "refers to ${" + name + "}, left as written: " + value.problem()));
            return Optional.empty();
        }
        return Optional.of(value.value());
    }

    /** The declared names that nothing substituted so far used, with where they were declared. */
    Map<String, String> unused() {
        Map<String, String> unused = new LinkedHashMap<>(declaredAt);
        used.forEach(unused::remove);
        return unused;
    }
}

package dev.faultline.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.ExperimentCodec;

/** Each Chaos Toolkit construct the importer maps, and each it refuses, on small experiments written for the purpose. */
class ChaosToolkitMappingTest {

    private static final Map<String, String> ENVIRONMENT = Map.of("CHECKOUT_URL", "http://checkout.shop:8080", "API_TOKEN", "t0ken");
    private static final ChaosToolkitImporter IMPORTER = new ChaosToolkitImporter(name -> Optional.ofNullable(ENVIRONMENT.get(name)));

    private static ChaosToolkitImporter.Result read(String yaml) {
        return read(yaml, Map.of());
    }

    private static ChaosToolkitImporter.Result read(String yaml, Map<String, String> vars) {
        return IMPORTER.read(ExperimentCodec.parse(yaml, DocumentFormat.YAML), vars, Optional.empty());
    }

    private static List<String> errors(String yaml) {
        try {
            read(yaml);
        } catch (InvalidDocumentException e) {
            return e.errors().stream().map(error -> error.path() + ": " + error.message()).toList();
        }
        throw new AssertionError("accepted");
    }

    private static String reason(ChaosToolkitImporter.Result result, String path) {
        return result.unmapped().stream().filter(u -> u.path().equals(path)).map(Unmapped::reason).findFirst()
                .orElseThrow(() -> new AssertionError(path + " not among " + result.unmapped()));
    }

    private static final String SHOP = """
            title: Checkout survives a slow and flaky payments service
            description: Payments answers late and sometimes fails; checkout must hold.
            tags: [payments, latency]
            configuration:
              checkout_url: { type: env, key: CHECKOUT_URL }
              window: 30s
              unset_thing: { type: env, key: SECRET_PASSWORD }
            secrets:
              api:
                token: { type: env, key: API_TOKEN }
                unused: plain-value
            steady-state-hypothesis:
              title: checkout is healthy
              probes:
                - type: probe
                  name: checkout-answers
                  tolerance: [200, 201, 202, 203, 204]
                  provider:
                    type: http
                    url: ${checkout_url}/health
                    headers: { Authorization: "Bearer ${token}" }
                    arguments: { verbose: "true" }
                    timeout: [1, 2]
                - type: probe
                  name: checkout-says-up
                  tolerance: { type: jsonpath, path: "$.status", expect: UP, target: body }
                  provider: { type: http, url: "${checkout_url}/health" }
                - type: probe
                  name: checkout-page-mentions-payment
                  tolerance: { type: regex, pattern: "pay(ment)?", target: body }
                  provider: { type: http, url: "${checkout_url}/", method: get }
                - type: probe
                  name: checkout-status-in-range
                  tolerance: { type: range, range: [200, 299], target: status }
                  provider: { type: http, url: "${checkout_url}/ready" }
                - type: probe
                  name: error-rate
                  tolerance: { type: jsonpath, path: "$.data.result[0].value[1]", expect: "0" }
                  provider:
                    type: python
                    module: chaosprometheus.probes
                    func: query
                    arguments: { query: "sum(rate(http_errors_total[${window}]))", when: "1 minute ago" }
                - type: probe
                  name: latency-range
                  tolerance: { type: range, range: [0, 0.5] }
                  provider:
                    type: python
                    module: chaosprometheus.probes
                    func: query_interval
                    arguments: { query: "histogram_quantile(0.99, rate(latency_bucket[1m]))", start: "1 minute ago", end: now, step: 5 }
                - type: probe
                  name: checkout-deployment
                  tolerance: true
                  provider:
                    type: python
                    module: chaosk8s.deployment.probes
                    func: deployment_available_and_healthy
                    arguments: { name: checkout, ns: shop }
                - type: probe
                  name: weird-list
                  tolerance: [200, 299]
                  provider: { type: http, url: "${checkout_url}/" }
                - ref: checkout-answers
                  tolerance: 200
            method:
              - type: action
                name: slow-and-flaky-payments
                provider:
                  type: python
                  module: chaosistio.fault.actions
                  func: set_fault
                  arguments:
                    virtual_service_name: payments-vs
                    ns: shop
                    routes: [ { destination: { host: payments, subset: v1 } }, { destination: { host: payments, subset: v2 } } ]
                    fault:
                      delay: { fixedDelay: 3s, percentage: { value: 25 } }
                      abort: { httpStatus: 503, percentage: { value: 5 } }
                pauses: { after: 60 }
              - type: probe
                name: mid-check
                provider: { type: http, url: "http://example.com" }
                pauses: { before: 10, after: 20 }
            rollbacks:
              - type: action
                name: heal-payments
                provider:
                  type: python
                  module: chaosistio.fault.actions
                  func: unset_fault
                  arguments:
                    virtual_service_name: payments-vs
                    ns: shop
                    routes: [ { destination: { host: payments, subset: v1 } }, { destination: { host: payments, subset: v2 } } ]
            controls:
              - name: safeguard
                provider:
                  type: python
                  module: chaosaddons.controls.safeguards
                  arguments:
                    probes:
                      - name: payments-error-budget
                        type: probe
                        frequency: 2
                        tolerance: [0, 0.05]
                        provider: { type: python, module: chaosprometheus.probes, func: query, arguments: { query: "payments_error_ratio" } }
                      - ref: checkout-says-up
                        tolerance: { type: jsonpath, path: "$.status", expect: UP, target: body }
              - name: tracing
                provider: { type: python, module: chaostracing.control }
            """;

    @Test
    void aFullExperimentMapsProbesToleranceFormsFaultsPausesAndSafeguards() {
        ChaosToolkitImporter.Result result = read(SHOP);
        assertThat(result.errors()).isEmpty();
        JsonNode doc = result.experiment();
        JsonNode spec = doc.path("spec");

        assertThat(doc.path("metadata").path("tags")).extracting(JsonNode::asText).containsExactly("payments", "latency");
        assertThat(spec.path("target").toString()).isEqualTo("{\"namespace\":\"shop\",\"service\":\"payments\",\"subset\":\"v1\"}");
        assertThat(spec.path("faults").toString()).isEqualTo("[{\"delay\":{\"fixedDelay\":\"3s\",\"percentage\":25.0}},"
                + "{\"abort\":{\"httpStatus\":503,\"percentage\":5.0}}]");
        assertThat(spec.path("duration").asText()).as("60 s after the fault, then a later activity's 10 + 20 s").isEqualTo("1m30s");

        JsonNode probes = spec.path("steadyState").path("probes");
        assertThat(probes).extracting(p -> p.path("name").asText()).containsExactly("checkout-answers", "checkout-says-up",
                "checkout-page-mentions-payment", "checkout-status-in-range", "error-rate", "latency-range", "checkout-deployment",
                "checkout-answers #2");
        JsonNode answers = probes.path(0).path("http");
        assertThat(answers.path("url").asText()).as("env from the allowed environment, GET arguments as the query")
                .isEqualTo("http://checkout.shop:8080/health?verbose=true");
        assertThat(answers.path("headers").path("Authorization").path("valueFrom").path("secret").asText())
                .as("a header from secrets refers to a stored secret, never holds its value").isEqualTo("api-token");
        assertThat(answers.toString()).doesNotContain("t0ken");
        assertThat(answers.path("timeout").asText()).as("connect + read").isEqualTo("3s");
        assertThat(answers.path("expectStatus").asText()).as("five statuses in a row").isEqualTo("200-204");
        assertThat(probes.path(1).path("http").path("jsonPath").toString()).isEqualTo("{\"path\":\"$.status\",\"equals\":\"UP\"}");
        assertThat(probes.path(2).path("http").path("bodyRegex").asText()).isEqualTo("pay(ment)?");
        assertThat(probes.path(3).path("http").path("expectStatus").asText()).isEqualTo("2xx");
        assertThat(probes.path(4).path("prometheus").path("query").asText()).isEqualTo("sum(rate(http_errors_total[30s]))");
        assertThat(probes.path(4).path("tolerance").toString()).isEqualTo("{\"equals\":0.0}");
        assertThat(probes.path(5).path("tolerance").toString()).isEqualTo("{\"between\":[0.0,0.5]}");
        assertThat(probes.path(6).path("kubernetes").toString()).isEqualTo("{\"deployment\":\"checkout\",\"namespace\":\"shop\"}");
        assertThat(probes.path(7).path("http").path("expectStatus").asInt()).as("the ref's own tolerance").isEqualTo(200);
        assertThat(probes.path(7).path("http").path("url").asText()).isEqualTo("http://checkout.shop:8080/health?verbose=true");

        JsonNode guardrails = spec.path("guardrails");
        assertThat(guardrails).extracting(g -> g.path("name").asText()).containsExactly("payments-error-budget", "checkout-says-up");
        assertThat(guardrails.path(0).path("interval").asText()).isEqualTo("2s");
        assertThat(guardrails.path(0).path("tolerance").toString()).isEqualTo("{\"between\":[0.0,0.05]}");
        assertThat(guardrails.path(1).has("interval")).isFalse();

        assertThat(result.unmapped()).extracting(Unmapped::path).containsExactly(
                "steady-state-hypothesis.title",
                "secrets.api.token",
                "steady-state-hypothesis.probes[4].provider.arguments.when",
                "steady-state-hypothesis.probes[5].provider.arguments.start",
                "steady-state-hypothesis.probes[5].provider.arguments.end",
                "steady-state-hypothesis.probes[5].provider.arguments.step",
                "steady-state-hypothesis.probes[7].tolerance",
                "steady-state-hypothesis.probes[8]",
                "method[0].provider.arguments.routes[1]",
                "method[0].provider.arguments.virtual_service_name",
                "method[1]",
                "controls[0].provider.arguments.probes[1]",
                "controls[1]",
                "configuration.unset_thing",
                "secrets.api.unused");
        assertThat(reason(result, "steady-state-hypothesis.probes[7].tolerance")).contains("not one unbroken range");
        assertThat(reason(result, "method[1]")).contains("its pauses (30 s) count toward spec.duration");
        assertThat(reason(result, "controls[0].provider.arguments.probes[1]")).contains("ran once");
        assertThat(reason(result, "configuration.unset_thing")).isEqualTo("used by nothing Faultline imported");
        assertThat(result.unmapped()).as("the rollback undoes the imported faults").noneMatch(u -> u.path().startsWith("rollbacks"));
    }

    @Test
    void environmentVariablesComeFromVarsThenTheAllowedEnvironmentThenTheirDefault() {
        String experiment = """
                title: t
                description: d
                configuration:
                  from_var: { type: env, key: NOT_SET_ANYWHERE }
                  from_env: { type: env, key: CHECKOUT_URL, default: "http://ignored" }
                  from_default: { type: env, key: SECRET_PASSWORD, default: "http://fallback" }
                  missing: { type: env, key: SECRET_PASSWORD }
                steady-state-hypothesis:
                  title: ok
                  probes:
                    - { type: probe, name: a, tolerance: 200, provider: { type: http, url: "${from_var}" } }
                    - { type: probe, name: b, tolerance: 200, provider: { type: http, url: "${from_env}" } }
                    - { type: probe, name: c, tolerance: 200, provider: { type: http, url: "${from_default}" } }
                    - { type: probe, name: d, tolerance: 200, provider: { type: http, url: "${missing}/x" } }
                method: []
                """;
        ChaosToolkitImporter.Result result = read(experiment, Map.of("from_var", "http://given"));
        assertThat(result.experiment().path("spec").path("steadyState").path("probes")).extracting(p -> p.path("http").path("url").asText())
                .containsExactly("http://given", "http://checkout.shop:8080", "http://fallback", "${missing}/x");
        assertThat(reason(result, "steady-state-hypothesis.probes[3].provider.url"))
                .contains("${missing}").contains("SECRET_PASSWORD has no default").contains("faultline.import.allowed-env");
    }

    @Test
    void anAbortOnAnotherTargetAndASecondDelayAreListedNotMerged() {
        ChaosToolkitImporter.Result result = read("""
                title: Two targets
                description: d
                method:
                  - type: action
                    name: delay-reviews
                    provider: { type: python, module: chaosistio.fault.actions, func: add_delay_fault,
                                arguments: { virtual_service_name: reviews, fixed_delay: 1s, percentage: 50, routes: [ { destination: { host: reviews } } ], ns: bookinfo } }
                    pauses: { before: 5, after: 30 }
                  - type: action
                    name: abort-ratings
                    provider: { type: python, module: chaosistio.fault.actions, func: add_abort_fault,
                                arguments: { virtual_service_name: ratings, http_status: 500, routes: [ { destination: { host: ratings } } ], ns: bookinfo } }
                  - type: action
                    name: delay-reviews-more
                    provider: { type: python, module: chaosistio.fault.actions, func: add_delay_fault,
                                arguments: { virtual_service_name: reviews, fixed_delay: 2s, routes: [ { destination: { host: reviews } } ], ns: bookinfo } }
                    pauses: { after: 30 }
                rollbacks:
                  - type: action
                    name: heal-ratings
                    provider: { type: python, module: chaosistio.fault.actions, func: remove_abort_fault,
                                arguments: { virtual_service_name: ratings, routes: [ { destination: { host: ratings } } ], ns: bookinfo } }
                """);
        JsonNode spec = result.experiment().path("spec");
        assertThat(spec.path("target").path("service").asText()).isEqualTo("reviews");
        assertThat(spec.path("faults")).hasSize(1);
        assertThat(spec.path("duration").asText()).isEqualTo("1m");
        assertThat(result.unmapped()).extracting(Unmapped::path).containsExactly("method[0].pauses.before", "method[1]", "method[2]",
                "rollbacks[0]");
        assertThat(reason(result, "method[1]")).contains("another target");
        assertThat(reason(result, "method[2]")).contains("a second delay");
        assertThat(reason(result, "rollbacks[0]")).contains("did not bring in");
    }

    @Test
    void malformedExperimentsAreRefusedNamingEachPath() {
        assertThat(errors("""
                description: 3
                tags: [ok, 7, ""]
                configuration: [not, an, object]
                steady-state-hypothesis:
                  probes:
                    - { type: probe, name: a, tolerance: 0.5, provider: { type: http, url: "http://x" } }
                    - { type: probe, name: b, provider: { type: http, url: "http://x" } }
                    - { type: check, name: c, tolerance: 200, provider: { type: shell, cmd: ls } }
                    - { ref: nowhere, tolerance: true }
                    - { type: probe, name: e, tolerance: { type: range, range: [1, 2, 3] }, provider: { type: http, url: "http://x" } }
                    - { type: probe, name: f, tolerance: { type: regex, pattern: "(" }, provider: { type: http, url: "http://x" } }
                    - { type: probe, name: g, tolerance: { type: fuzzy }, provider: { type: python, module: m } }
                method:
                  - { type: action, name: h, provider: { type: process, path: ls }, pauses: { after: -1 }, background: maybe }
                  - type: action
                    name: i
                    provider: { type: python, module: chaosistio.fault.actions, func: add_delay_fault, arguments: { virtual_service_name: r } }
                """)).containsExactly(
                "configuration: must be an object",
                "title: is required: a non-empty string (Chaos Toolkit requires it too)",
                "description: is required: a non-empty string (Chaos Toolkit requires it too)",
                "tags[1]: must be a non-empty string",
                "tags[2]: must be a non-empty string",
                "steady-state-hypothesis.title: is required: a non-empty string (Chaos Toolkit requires it too)",
                "steady-state-hypothesis.probes[0].tolerance: must be a boolean, an integer, a string, a list or an object with a type "
                        + "(Chaos Toolkit accepts no other tolerance)",
                "steady-state-hypothesis.probes[1].tolerance: is required for a probe of the hypothesis",
                "steady-state-hypothesis.probes[2].type: must be probe or action",
                "steady-state-hypothesis.probes[2].provider.type: must be python, process or http",
                "steady-state-hypothesis.probes[3].ref: refers to \"nowhere\", which is no probe or action of this experiment",
                "steady-state-hypothesis.probes[4].tolerance.range: must be a list of two numbers: [low, high]",
                "steady-state-hypothesis.probes[5].tolerance.pattern: is not a valid regular expression: Unclosed group",
                "steady-state-hypothesis.probes[6].provider.func: is required: a non-empty string",
                "method[0].pauses.after: must be a number of seconds",
                "method[0].background: must be true or false",
                "method[1].provider.arguments.routes: is required: a list of {destination: {host, subset}} naming the routes to fault");
        assertThat(errors("[1, 2]")).containsExactly("(document): must be a Chaos Toolkit experiment: an object with title, description and method");
        assertThat(errors("title: t\ndescription: d\n")).containsExactly(
                "method: is required: a list of actions and probes (Chaos Toolkit requires it too)");
    }

    @Test
    void syntaxErrorsNameTheLine() {
        assertThatThrownBy(() -> read("title: [unclosed\n")).isInstanceOf(InvalidDocumentException.class)
                .satisfies(e -> assertThat(((InvalidDocumentException) e).errors()).extracting(FieldError::path)
                        .containsExactly(ExperimentCodec.DOCUMENT));
    }
}

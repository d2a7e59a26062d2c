package dev.faultline.experiment.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.experiment.spec.Measurement.Signal;

class ExperimentCodecTest {

    static final String VALID = """
            apiVersion: faultline.dev/v1
            kind: Experiment
            metadata: { name: reviews-latency, team: bookinfo, tags: [latency] }
            spec:
              target: { mesh: istio, namespace: bookinfo, service: reviews, subset: v2,
                        route: jason-to-v2, match: { headers: { x-chaos: { exact: "on" } } } }
              faults:
                - delay: { fixedDelay: 2s, percentage: 50 }
                - abort: { httpStatus: 503, percentage: 10 }
              duration: 5m
              rampUp: [ { percentage: 1, hold: 1m }, { percentage: 10, hold: 2m } ]
              steadyState:
                probes:
                  - name: productpage p99 under 500ms
                    prometheus: { query: "histogram_quantile(0.99, sum(rate(x[1m])) by (le))" }
                    tolerance: { below: 0.5 }
                  - name: productpage answers
                    http: { url: "http://productpage:9080/health", expectStatus: 200, timeout: 2s }
              guardrails:
                - name: callers error rate
                  goldenSignal: { signal: errorRate, service: productpage, window: 30s, excludeInjected: true }
                  tolerance: { below: 0.05 }
                  interval: 1s
                  failureThreshold: 2
              notify: [ slack-sre ]
            """;

    @Test
    void readsTheDesignExample() {
        Experiment experiment = ExperimentCodec.decode(VALID, DocumentFormat.YAML);

        assertEquals("reviews-latency", experiment.name());
        assertEquals("on", experiment.spec().target().match().headers().get("x-chaos").exact());
        assertEquals(Duration.ofSeconds(2), experiment.spec().faults().get(0).delay().fixedDelay());
        assertEquals(503, experiment.spec().faults().get(1).abort().httpStatus());
        assertEquals(Duration.ofMinutes(5), experiment.spec().duration());
        assertEquals(Tolerance.below(0.5), experiment.spec().steadyState().probes().get(0).tolerance());
        assertEquals(StatusRange.parse("200").orElseThrow(),
                experiment.spec().steadyState().probes().get(1).measurement().http().expectStatus());
        Guardrail guardrail = experiment.spec().guardrails().get(0);
        assertEquals(Signal.ERROR_RATE, guardrail.measurement().goldenSignal().signal());
        assertEquals(2, guardrail.effectiveFailureThreshold());
        assertEquals(List.of(Notification.of("slack-sre")), experiment.spec().notifications());
    }

    @Test
    void jsonAndYamlGiveTheSameExperiment() {
        Experiment fromYaml = ExperimentCodec.decode(VALID, DocumentFormat.YAML);
        String json = ExperimentCodec.encode(fromYaml, DocumentFormat.JSON);

        assertEquals(fromYaml, ExperimentCodec.decode(json, DocumentFormat.JSON));
        assertThat(json).contains("\"fixedDelay\" : \"2s\"").contains("\"notify\" : [ \"slack-sre\" ]");
    }

    @Test
    void reportsEveryOffendingFieldAtOnce() {
        String document = """
                apiVersion: faultline.dev/v1
                kind: Experiment
                metadata: { name: Reviews_Latency }
                spec:
                  faults:
                    - delay: { fixedDelay: 2s, percentage: 150 }
                    - abort: { httpStatus: "503", percentage: 10 }
                  duration: 5 minutes
                  colour: red
                """;

        assertThat(errors(document, DocumentFormat.YAML)).extracting(FieldError::path).containsExactlyInAnyOrder(
                "metadata.name",
                "spec.target",
                "spec.faults[0].delay.percentage",
                "spec.faults[1].abort.httpStatus",
                "spec.duration",
                "spec.colour");
        assertThat(errors(document, DocumentFormat.YAML)).filteredOn(e -> e.path().equals("spec.faults[0].delay.percentage"))
                .singleElement().extracting(FieldError::message).asString().contains("found 150");
    }

    @Test
    void aChannelChoosesItsEventsAndABareNameHearsAboutAbortsOnly() {
        Experiment experiment = ExperimentCodec.decode(VALID.replace("notify: [ slack-sre ]",
                "notify: [ slack-sre, { channel: ci-hook, on: [ started, completed, deviated ] } ]"), DocumentFormat.YAML);

        assertThat(experiment.spec().notifications()).containsExactly(Notification.of("slack-sre"),
                new Notification("ci-hook", List.of("started", "completed", "deviated")));
        assertThat(experiment.spec().notifications().get(0).hears("aborted")).isTrue();
        assertThat(experiment.spec().notifications().get(0).hears("completed")).isFalse();
        String json = ExperimentCodec.encode(experiment, DocumentFormat.JSON);
        assertEquals(experiment, ExperimentCodec.decode(json, DocumentFormat.JSON));

        assertThat(errors(VALID.replace("notify: [ slack-sre ]", "notify: [ Slack, { channel: ok, on: [ finished ] }, { on: [] }, 7 ]"),
                DocumentFormat.YAML)).extracting(FieldError::path).containsExactlyInAnyOrder(
                        "spec.notify[0]", "spec.notify[1].on[0]", "spec.notify[2].channel", "spec.notify[2].on", "spec.notify[3]");
    }

    @Test
    void aTargetMatchTakesEveryRequestFieldOfIstioAndRoundTrips() {
        String match = """
                match: { headers: { x-chaos: { exact: "on" } }, withoutHeaders: { x-canary: { prefix: "1" } },
                  uri: { prefix: /api/ }, scheme: { exact: http }, method: { regex: "GET|HEAD" },
                  authority: { exact: "reviews:9080" }, queryParams: { page: { exact: "2" } }, port: 9080,
                  sourceLabels: { app: productpage }, sourceNamespace: bookinfo }""".indent(10).stripTrailing();
        String document = VALID.replace("route: jason-to-v2, match: { headers: { x-chaos: { exact: \"on\" } } } }",
                "route: jason-to-v2,\n" + match + " }");
        Experiment experiment = ExperimentCodec.decode(document, DocumentFormat.YAML);
        Target.Match read = experiment.spec().target().match();
        assertEquals(Target.StringMatch.prefix("/api/"), read.uri());
        assertEquals(9080, read.port());
        assertEquals("bookinfo", read.sourceNamespace());
        assertEquals(Target.StringMatch.prefix("1"), read.withoutHeaders().get("x-canary"));
        assertEquals(experiment, ExperimentCodec.decode(ExperimentCodec.encode(experiment, DocumentFormat.JSON), DocumentFormat.JSON));
    }

    @Test
    void aTargetMatchNamesEveryFieldIstioWouldNotMatchAsWritten() {
        String match = """
                match: { headrs: { x-chaos: { exact: "on" } }, uri: { exact: api }, method: { exact: get },
                  queryParams: { page: { prefix: "2" } }, authority: { regex: "(?=reviews)" }, port: 0,
                  sourceNamespace: Book_Info }""".indent(10).stripTrailing();
        String document = VALID.replace("route: jason-to-v2, match: { headers: { x-chaos: { exact: \"on\" } } } }",
                "route: jason-to-v2,\n" + match + " }");
        List<FieldError> errors = errors(document, DocumentFormat.YAML);
        assertThat(errors).extracting(FieldError::path).containsExactlyInAnyOrder("spec.target.match.headrs",
                "spec.target.match.uri.exact", "spec.target.match.method", "spec.target.match.queryParams.page.prefix",
                "spec.target.match.authority.regex", "spec.target.match.port", "spec.target.match.sourceNamespace");
        assertThat(errors).filteredOn(e -> e.path().equals("spec.target.match.headrs")).singleElement()
                .extracting(FieldError::message).asString().contains("headers");
        assertThat(errors).filteredOn(e -> e.path().endsWith("authority.regex")).singleElement()
                .extracting(FieldError::message).asString().startsWith("must be an RE2 regular expression");
    }

    @Test
    void aPostureProbeStatesWhatTheServiceMustHaveAndRoundTrips() {
        Experiment experiment = ExperimentCodec.decode(VALID.replace("""
                      - name: productpage answers
                """, """
                      - name: reviews is hardened
                        posture: { service: reviews, mtls: STRICT, maxTimeout: 2s, retries: true, circuitBreaker: true }
                      - name: productpage answers
                """), DocumentFormat.YAML);

        Measurement.PostureCheck posture = experiment.spec().steadyState().probes().get(1).measurement().posture();
        assertEquals(new Measurement.PostureCheck("reviews", null, "STRICT", Duration.ofSeconds(2), true, true), posture);
        String yaml = ExperimentCodec.encode(experiment, DocumentFormat.YAML);
        assertThat(yaml).contains("maxTimeout: 2s");
        assertEquals(experiment, ExperimentCodec.decode(yaml, DocumentFormat.YAML));

        String bad = VALID.replace("""
                      - name: productpage answers
                """, """
                      - name: nothing asked
                        posture: { service: reviews }
                      - name: wrong values
                        posture: { service: Reviews, mtls: strict, maxTimeout: soon, retries: maybe }
                        tolerance: { below: 1 }
                      - name: productpage answers
                """);
        assertThat(errors(bad, DocumentFormat.YAML)).extracting(FieldError::path).containsExactlyInAnyOrder(
                "spec.steadyState.probes[1].posture.mtls",
                "spec.steadyState.probes[2].posture.service",
                "spec.steadyState.probes[2].posture.mtls",
                "spec.steadyState.probes[2].posture.maxTimeout",
                "spec.steadyState.probes[2].posture.retries",
                "spec.steadyState.probes[2].tolerance");
        assertThat(errors(bad, DocumentFormat.YAML)).filteredOn(e -> e.path().equals("spec.steadyState.probes[1].posture.mtls"))
                .singleElement().extracting(FieldError::message).asString().contains("at least one of mtls, maxTimeout, retries, circuitBreaker");
        assertThat(errors(bad, DocumentFormat.YAML)).filteredOn(e -> e.path().equals("spec.steadyState.probes[2].posture.mtls"))
                .singleElement().extracting(FieldError::message).asString().contains("STRICT, PERMISSIVE, DISABLE, UNSET");
    }

    @Test
    void unknownFieldIsRejectedWithASuggestion() {
        String document = VALID.replace("fixedDelay: 2s, percentage: 50", "fixedDelay: 2s, percent: 50");

        assertThat(errors(document, DocumentFormat.YAML))
                .contains(new FieldError("spec.faults[0].delay.percent",
                        "is not a known field (did you mean \"percentage\"?); expected fixedDelay, percentage"))
                .contains(new FieldError("spec.faults[0].delay.percentage", "is required"));
    }

    @Test
    void badSyntaxNamesTheLine() {
        assertThat(errors("apiVersion: faultline.dev/v1\nkind: [Experiment\n", DocumentFormat.YAML))
                .singleElement().satisfies(e -> {
                    assertEquals(ExperimentCodec.DOCUMENT, e.path());
                    assertThat(e.message()).startsWith("is not valid YAML: line ");
                });
        assertThat(errors("{\"apiVersion\": ", DocumentFormat.JSON)).singleElement()
                .extracting(FieldError::message).asString().startsWith("is not valid JSON");
    }

    @Test
    void rejectsDuplicateKeysSeveralDocumentsAndEmptyInput() {
        assertThat(errors("kind: Experiment\nkind: Experiment\n", DocumentFormat.YAML)).singleElement()
                .extracting(FieldError::message).asString().contains("Duplicate");
        assertThat(errors(VALID + "---\n" + VALID, DocumentFormat.YAML)).singleElement()
                .extracting(FieldError::message).asString().contains("more than one document");
        assertThat(errors("  \n", DocumentFormat.YAML)).singleElement().extracting(FieldError::message).asString()
                .startsWith("is empty");
        assertThat(errors("[1, 2]", DocumentFormat.JSON)).singleElement()
                .isEqualTo(new FieldError("", "must be an object, found a list"));
    }

    @Test
    void checksRulesAcrossFields() {
        String document = VALID
                .replace("- abort: { httpStatus: 503, percentage: 10 }", "- delay: { fixedDelay: 1s, percentage: 10 }")
                .replace("{ percentage: 10, hold: 2m }", "{ percentage: 1, hold: 5m }")
                .replace("interval: 1s", "interval: 50ms")
                .replace("name: productpage answers", "name: productpage p99 under 500ms");

        assertThat(errors(document, DocumentFormat.YAML)).extracting(FieldError::path).containsExactlyInAnyOrder(
                "spec.faults", "spec.rampUp[1].percentage", "spec.rampUp", "spec.guardrails[0].interval",
                "spec.steadyState.probes[1].name");
    }

    @Test
    void checksNeedTheRightTolerance() {
        String document = VALID
                .replace("tolerance: { below: 0.5 }", "tolerance: { below: 0.5, above: 0.1 }")
                .replace("http: { url: \"http://productpage:9080/health\", expectStatus: 200, timeout: 2s }",
                        "http: { url: \"productpage/health\", expectStatus: 200, timeout: 2s }\n        tolerance: { below: 1 }")
                .replace("tolerance: { below: 0.05 }", "");

        assertThat(errors(document, DocumentFormat.YAML)).extracting(FieldError::path).containsExactlyInAnyOrder(
                "spec.steadyState.probes[0].tolerance",
                "spec.steadyState.probes[1].http.url",
                "spec.steadyState.probes[1].tolerance",
                "spec.guardrails[0].tolerance");
    }

    @Test
    void validatesDocumentsBuiltInCode() {
        Experiment experiment = ExperimentCodec.decode(VALID, DocumentFormat.YAML);
        Experiment broken = new Experiment(new Metadata("ok", null, null, null),
                new ExperimentSpec(experiment.spec().target(), List.of(), Duration.ofMinutes(1), null, null, null, null));

        assertEquals(experiment, ExperimentCodec.validate(experiment));
        assertThat(assertThrowsInvalid(() -> ExperimentCodec.validate(broken)))
                .containsExactly(new FieldError("spec.faults", "must have at least one fault"));
    }

    @Test
    void statusIsReadOnlyAndIgnored() {
        Experiment experiment = ExperimentCodec.decode(VALID + "status: { revision: 3 }\n", DocumentFormat.YAML);

        assertEquals(ExperimentCodec.decode(VALID, DocumentFormat.YAML), experiment);
    }

    private static List<FieldError> errors(String document, DocumentFormat format) {
        return assertThrowsInvalid(() -> ExperimentCodec.decode(document, format));
    }

    private static List<FieldError> assertThrowsInvalid(Runnable action) {
        try {
            action.run();
        } catch (InvalidDocumentException e) {
            return e.errors();
        }
        throw new AssertionError("expected the document to be rejected");
    }
}

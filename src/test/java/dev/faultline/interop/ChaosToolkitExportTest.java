package dev.faultline.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.ExperimentCodec;

/** A Faultline experiment written as Chaos Toolkit: what carries over, and what is listed because it cannot. */
class ChaosToolkitExportTest {

    private static final String REVIEWS = """
            apiVersion: faultline.dev/v1
            kind: Experiment
            metadata: { name: reviews-latency, team: bookinfo, description: "Reviews slows down\\n\\nJason must not notice.", tags: [latency] }
            spec:
              target: { namespace: bookinfo, service: reviews, subset: v2, match: { headers: { end-user: { exact: jason } } } }
              faults:
                - delay: { fixedDelay: 2s, percentage: 50 }
                - abort: { httpStatus: 503, percentage: 10 }
              duration: 5m
              rampUp: [ { percentage: 10, hold: 1m } ]
              steadyState:
                probes:
                  - name: productpage answers
                    http: { url: "http://productpage:9080/health", expectStatus: 200, timeout: 1500ms, bodyRegex: ok }
                  - name: no errors at all
                    prometheus: { query: "sum(rate(errors[1m]))" }
                    tolerance: { equals: 0 }
                  - name: latency below budget
                    prometheus: { query: "p99" }
                    tolerance: { below: 0.5 }
                  - name: reviews deployment ready
                    kubernetes: { deployment: reviews-v2 }
              guardrails:
                - name: error ratio
                  prometheus: { query: "ratio" }
                  tolerance: { between: [0, 0.05] }
                  interval: 500ms
                  failureThreshold: 3
              notify: [ sre-slack ]
            """;

    @Test
    void faultsBecomeOneChaosistioActionHeldForTheDurationAndUndoneInRollbacks() {
        ChaosToolkitExporter.Result result = new ChaosToolkitExporter("http://prometheus:9090")
                .write(ExperimentCodec.toTree(ExperimentCodec.decode(REVIEWS, DocumentFormat.YAML)));
        JsonNode ctk = result.experiment();
        ChaosToolkitSchema.assertValid(ctk);

        assertThat(ctk.path("title").asText()).isEqualTo("Reviews slows down");
        assertThat(ctk.path("description").asText()).isEqualTo("Jason must not notice.");
        assertThat(ctk.path("configuration").path("prometheus_base_url").toString())
                .isEqualTo("{\"type\":\"env\",\"key\":\"PROMETHEUS_URL\",\"default\":\"http://prometheus:9090\"}");
        JsonNode action = ctk.path("method").path(0);
        assertThat(action.path("provider").path("func").asText()).as("delay and abort together: add_* would replace each other")
                .isEqualTo("set_fault");
        assertThat(action.path("provider").path("arguments").toString()).isEqualTo("{\"virtual_service_name\":\"reviews\","
                + "\"routes\":[{\"destination\":{\"host\":\"reviews\",\"subset\":\"v2\"}}],\"fault\":{\"delay\":{\"fixedDelay\":\"2s\","
                + "\"percentage\":{\"value\":50.0}},\"abort\":{\"httpStatus\":503,\"percentage\":{\"value\":10.0}}},\"ns\":\"bookinfo\"}");
        assertThat(action.path("pauses").path("after").asInt()).isEqualTo(300);
        assertThat(ctk.path("rollbacks").path(0).path("provider").path("func").asText()).isEqualTo("unset_fault");

        JsonNode probes = ctk.path("steady-state-hypothesis").path("probes");
        assertThat(probes).extracting(p -> p.path("name").asText()).containsExactly("productpage answers", "no errors at all",
                "reviews deployment ready");
        assertThat(probes.path(0).path("tolerance").asInt()).isEqualTo(200);
        assertThat(probes.path(0).path("provider").path("timeout").asDouble()).isEqualTo(1.5);
        assertThat(probes.path(1).path("tolerance").toString())
                .isEqualTo("{\"type\":\"jsonpath\",\"path\":\"$.data.result[0].value[1]\",\"expect\":\"0\"}");
        assertThat(probes.path(2).path("provider").path("func").asText()).isEqualTo("deployment_available_and_healthy");
        JsonNode safeguard = ctk.path("controls").path(0).path("provider").path("arguments").path("probes").path(0);
        assertThat(safeguard.path("frequency").asDouble()).isEqualTo(0.5);
        assertThat(safeguard.path("tolerance").path("range").toString()).isEqualTo("[0.0,0.05]");

        assertThat(result.unmapped()).extracting(Unmapped::path).containsExactly("metadata.team",
                "spec.steadyState.probes[0].http.bodyRegex", "spec.steadyState.probes[2]", "spec.target.match",
                "spec.guardrails[0].tolerance", "spec.guardrails[0].failureThreshold", "spec.rampUp", "spec.notify");
        assertThat(result.unmapped().get(3).reason()).contains("wider blast radius");

        ChaosToolkitImporter.Result back = new ChaosToolkitImporter(name -> Optional.empty()).read(ctk, Map.of(), Optional.empty());
        assertThat(back.experiment().path("spec").path("faults")).isEqualTo(ExperimentCodec.toTree(
                ExperimentCodec.decode(REVIEWS, DocumentFormat.YAML)).path("spec").path("faults"));
        assertThat(back.experiment().path("spec").path("duration").asText()).isEqualTo("5m");
        assertThat(back.experiment().path("metadata").path("description").asText()).isEqualTo("Reviews slows down\n\nJason must not notice.");
    }
}

package dev.faultline.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.experiment.spec.ExperimentSpec;
import dev.faultline.experiment.spec.Measurement;
import dev.faultline.metrics.GoldenSignal;
import dev.faultline.metrics.HttpProbe;
import dev.faultline.testing.Examples;

class MeasurementsTest {

    @Test
    void goldenSignalsTakeTheDocumentsDefaults() {
        GoldenSignal signal = Measurements.goldenSignal(
                new Measurement.GoldenSignal(Measurement.Signal.LATENCY_P90, "reviews", null, null, null, null), "bookinfo",
                Measurements.Reporters.DESTINATION);
        assertThat(signal).isEqualTo(new GoldenSignal(GoldenSignal.Signal.LATENCY_P90, "reviews", "bookinfo",
                Duration.ofSeconds(30), GoldenSignal.Reporter.DESTINATION, false));
        assertThat(signal.promql()).isEqualTo("histogram_quantile(0.9, sum by (le) (rate(istio_request_duration_milliseconds_bucket"
                + "{reporter=\"destination\",destination_service_name=\"reviews\",destination_workload_namespace=\"bookinfo\"}[30s])))");
    }

    @Test
    void inAnAmbientNamespaceWithAWaypointAGoldenSignalReadsTheWaypointsSeriesUnlessTheDocumentNamesAReporter() {
        Measurements.Reporters ambient = (namespace, service) -> namespace.equals("bookinfo") && service.equals("reviews")
                ? GoldenSignal.Reporter.WAYPOINT : GoldenSignal.Reporter.DESTINATION;
        Measurement.GoldenSignal errors = new Measurement.GoldenSignal(Measurement.Signal.ERROR_RATE, "reviews", null, null, null, true);
        assertThat(Measurements.goldenSignal(errors, "bookinfo", ambient).promql())
                .isEqualTo("(sum(rate(istio_requests_total{reporter=\"waypoint\",destination_service_name=\"reviews\","
                        + "destination_workload_namespace=\"bookinfo\",response_flags!~\".*(FI|DI).*\",response_code=~\"5..\"}[30s])) "
                        + "or vector(0)) / sum(rate(istio_requests_total{reporter=\"waypoint\",destination_service_name=\"reviews\","
                        + "destination_workload_namespace=\"bookinfo\",response_flags!~\".*(FI|DI).*\"}[30s]))");
        assertThat(Measurements.goldenSignal(errors, "other", ambient).reporter()).isEqualTo(GoldenSignal.Reporter.DESTINATION);
        Measurement.GoldenSignal fromSource = new Measurement.GoldenSignal(Measurement.Signal.ERROR_RATE, "reviews", null, null,
                Measurement.Reporter.SOURCE, null);
        assertThat(Measurements.goldenSignal(fromSource, "bookinfo", ambient).reporter()).isEqualTo(GoldenSignal.Reporter.SOURCE);
    }

    @Test
    void everyPrometheusBackedCheckOfAnExampleHasItsQuery() {
        ExperimentSpec spec = ExperimentCodec.decode(Examples.yaml("reviews-v2-latency"), DocumentFormat.YAML).spec();
        assertThat(Measurements.queries(spec)).extracting(Measurements.NamedQuery::path)
                .containsExactly("spec.steadyState.probes[0]", "spec.steadyState.probes[1]", "spec.guardrails[0]",
                        "spec.guardrails[1]");
    }

    @Test
    void httpChecksDefaultToGetExpectingSuccessWithinTwoSeconds() {
        HttpProbe.Request request = Measurements.http(new Measurement.HttpCheck("http://productpage:9080/health", null, null, null,
                null, null, null, null, null), java.util.List.of());
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.statusLow()).isEqualTo(200);
        assertThat(request.statusHigh()).isEqualTo(299);
        assertThat(request.timeout()).isEqualTo(Duration.ofSeconds(2));
    }
}

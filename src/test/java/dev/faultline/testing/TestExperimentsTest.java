package dev.faultline.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.Experiment;
import dev.faultline.experiment.spec.ExperimentCodec;

/** The documents the tests build are valid experiments, with what each part of the builder adds. */
class TestExperimentsTest {

    @Test
    void everyPartLandsWhereItBelongs() {
        Experiment experiment = ExperimentCodec.decode(TestExperiments.aborting("ratings").named("all-parts").team("bookinfo")
                .subset("v1").lasting("10m").steadyWhile("productpage answers", "http://127.0.0.1:9/health").answering(9)
                .errorRateBelowOneFifth(true).promqlBelow("requests", "sum(rate(istio_requests_total[30s]))", 1000)
                .with("notify: [{ channel: team, \"on\": [aborted] }]").yaml(), DocumentFormat.YAML);

        assertThat(experiment.name()).isEqualTo("all-parts");
        assertThat(experiment.metadata().team()).isEqualTo("bookinfo");
        assertThat(experiment.spec().target().service()).isEqualTo("ratings");
        assertThat(experiment.spec().target().subset()).isEqualTo("v1");
        assertThat(experiment.spec().duration()).isEqualTo(Duration.ofMinutes(10));
        assertThat(experiment.spec().steadyState().probes()).hasSize(1);
        assertThat(experiment.spec().guardrails()).extracting(guardrail -> guardrail.name())
                .containsExactly("something answers", "ratings error rate", "requests");
        assertThat(experiment.spec().notifications()).hasSize(1);
    }

    @Test
    void theSmallestIsAnAbortOfHalfTheCallsForAMinute() {
        Experiment experiment = ExperimentCodec.decode(TestExperiments.aborting("reviews").yaml(), DocumentFormat.YAML);
        assertThat(experiment.name()).isEqualTo("reviews-abort");
        assertThat(experiment.spec().faults()).singleElement().satisfies(fault -> assertThat(fault.percentage()).isEqualTo(50.0));
        assertThat(experiment.spec().duration()).isEqualTo(Duration.ofSeconds(60));
        assertThat(experiment.spec().target().subset()).isNull();
    }
}

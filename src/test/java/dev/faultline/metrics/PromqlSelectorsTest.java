package dev.faultline.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The series a PromQL expression reads, as the scrape alignment asks Prometheus about them. */
class PromqlSelectorsTest {

    @Test
    void selectorsWithoutTheirRangesFunctionsOrGroupings() {
        assertThat(PromqlSelectors.of("sum(rate(istio_requests_total{reporter=\"destination\",response_code=~\"5..\"}[1m])) "
                + "by (destination_service_name) / sum(rate(istio_requests_total{reporter=\"destination\"}[1m]))"))
                .containsExactly("istio_requests_total{reporter=\"destination\",response_code=~\"5..\"}",
                        "istio_requests_total{reporter=\"destination\"}");
        assertThat(PromqlSelectors.of("histogram_quantile(0.99, sum by (le) (rate(x_bucket{a=\"}[\"}[5m] offset 1m)))"))
                .containsExactly("x_bucket{a=\"}[\"}");
        assertThat(PromqlSelectors.of("max_over_time(foo:rate5m[5m:1m]) > bool 2"))
                .containsExactly("foo:rate5m");
    }

    @Test
    void bareNamesAndNamelessSelectorsButNoKeywordsLiteralsOrStrings() {
        assertThat(PromqlSelectors.of("up == 1 and on(job) group_left(instance) {__name__=\"y\"}"))
                .containsExactly("up", "{__name__=\"y\"}");
        assertThat(PromqlSelectors.of("label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\") or vector(0)"))
                .containsExactly("up");
        assertThat(PromqlSelectors.of("vector(1) + 2.5e3 > Inf")).isEmpty();
        assertThat(PromqlSelectors.of("sum without (pod) (x) # a comment naming y\n")).containsExactly("x");
    }
}

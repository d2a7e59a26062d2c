package dev.faultline.mesh.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.faultline.experiment.spec.Target;
import dev.faultline.experiment.spec.Target.StringMatch;

/** The intersection rules, one by one, on the JSON Istio holds. */
class MatchIntersectionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static Target.Match header(String name, StringMatch match) {
        return new Target.Match(Map.of(name, match), null);
    }

    private static JsonNode intersect(String block, Target.Match target) throws Exception {
        return MatchIntersection.intersect(json(block), target, "match[0]");
    }

    @Test
    void exactWithinAPrefixIsTheExactValueAndOutsideItIsNoRequest() throws Exception {
        assertThat(intersect("{\"headers\":{\"x-group\":{\"prefix\":\"beta-\"}}}", header("x-group", StringMatch.exact("beta-7"))))
                .isEqualTo(json("{\"headers\":{\"x-group\":{\"exact\":\"beta-7\"}}}"));
        assertThatThrownBy(() -> intersect("{\"headers\":{\"x-group\":{\"prefix\":\"beta-\"}}}", header("x-group", StringMatch.exact("carol"))))
                .isInstanceOf(MatchIntersection.Empty.class)
                .hasMessage("match[0].headers.x-group (prefix \"beta-\") and spec.target.match.headers.x-group (exact \"carol\") "
                        + "have no value in common");
    }

    @Test
    void twoPrefixesMeetInTheLongerWhenOneExtendsTheOther() throws Exception {
        assertThat(intersect("{\"uri\":{\"prefix\":\"/api\"}}", new Target.Match(null, null, StringMatch.prefix("/api/v1"), null, null,
                null, null, null, null, null))).isEqualTo(json("{\"uri\":{\"prefix\":\"/api/v1\"}}"));
        assertThat(intersect("{\"uri\":{\"prefix\":\"/api/v1\"}}", new Target.Match(null, null, StringMatch.prefix("/api"), null, null,
                null, null, null, null, null))).isEqualTo(json("{\"uri\":{\"prefix\":\"/api/v1\"}}"));
        assertThatThrownBy(() -> intersect("{\"uri\":{\"prefix\":\"/api\"}}", new Target.Match(null, null, StringMatch.prefix("/health"),
                null, null, null, null, null, null, null))).isInstanceOf(MatchIntersection.Empty.class);
    }

    @Test
    void anExactValueMeetsARegexOnlyWhenTheWholeValueMatchesAsInRe2() throws Exception {
        Target.Match get = new Target.Match(null, null, null, null, StringMatch.exact("GET"), null, null, null, null, null);
        assertThat(intersect("{\"method\":{\"regex\":\"GET|HEAD\"}}", get)).isEqualTo(json("{\"method\":{\"exact\":\"GET\"}}"));
        assertThatThrownBy(() -> intersect("{\"method\":{\"regex\":\"GE\"}}", get)).isInstanceOf(MatchIntersection.Empty.class);
    }

    @Test
    void whatOneIstioFieldCannotSayIsRefusedNotGuessed() {
        assertThatThrownBy(() -> intersect("{\"headers\":{\"x-group\":{\"regex\":\"beta-[0-9]+\"}}}", header("x-group", StringMatch.prefix("beta-1"))))
                .isInstanceOf(MatchIntersection.Undecidable.class).hasMessageContaining("regex \"beta-[0-9]+\"")
                .hasMessageContaining("prefix \"beta-1\"");
        assertThatThrownBy(() -> intersect("{\"headers\":{\"x-group\":{\"regex\":\"a.*\"}}}", header("x-group", StringMatch.regex("b.*"))))
                .isInstanceOf(MatchIntersection.Undecidable.class);
        assertThatThrownBy(() -> intersect("{\"uri\":{\"prefix\":\"/API\"},\"ignoreUriCase\":true}", new Target.Match(null, null,
                StringMatch.exact("/api/v1"), null, null, null, null, null, null, null))).isInstanceOf(MatchIntersection.Undecidable.class)
                .hasMessageContaining("ignoring case");
    }

    @Test
    void theRoutesOwnConditionsStayWhenTheTargetAddsItsOwn() throws Exception {
        JsonNode narrowed = intersect("{\"headers\":{\"end-user\":{\"exact\":\"jason\"}},\"withoutHeaders\":{\"x-canary\":{}},"
                + "\"gateways\":[\"mesh\"],\"port\":9080}", new Target.Match(Map.of("x-chaos", StringMatch.exact("on")),
                        Map.of("x-debug", StringMatch.prefix("1")), null, null, null, null, null, 9080, Map.of("app", "productpage"), "bookinfo"));
        assertThat(narrowed).isEqualTo(json("{\"headers\":{\"end-user\":{\"exact\":\"jason\"},\"x-chaos\":{\"exact\":\"on\"}},"
                + "\"withoutHeaders\":{\"x-canary\":{},\"x-debug\":{\"prefix\":\"1\"}},\"gateways\":[\"mesh\"],\"port\":9080,"
                + "\"sourceNamespace\":\"bookinfo\",\"sourceLabels\":{\"app\":\"productpage\"}}"));
    }

    @Test
    void aHeaderBothRequiredAndExcludedLeavesNoRequest() {
        assertThatThrownBy(() -> intersect("{\"withoutHeaders\":{\"x-group\":{\"prefix\":\"beta-\"}}}", header("x-group", StringMatch.exact("beta-1"))))
                .isInstanceOf(MatchIntersection.Empty.class);
        assertThatThrownBy(() -> intersect("{\"port\":9080}", new Target.Match(null, null, null, null, null, null, null, 9443, null, null)))
                .isInstanceOf(MatchIntersection.Empty.class).hasMessage("match[0].port is 9080 and spec.target.match.port is 9443");
        assertThatThrownBy(() -> intersect("{\"sourceLabels\":{\"app\":\"ratings\"}}", new Target.Match(null, Map.of("app", "productpage"))))
                .isInstanceOf(MatchIntersection.Empty.class);
    }

    @Test
    void aBlockContainsTheTargetOnlyWhenEveryOneOfItsConditionsCoversTheTargets() {
        Target.Match jason = header("end-user", StringMatch.exact("jason"));
        assertThat(MatchIntersection.contains(json("{\"headers\":{\"end-user\":{\"exact\":\"jason\"}}}"), jason)).isTrue();
        assertThat(MatchIntersection.contains(json("{\"headers\":{\"end-user\":{\"prefix\":\"ja\"}}}"), jason)).isTrue();
        assertThat(MatchIntersection.contains(json("{\"headers\":{\"end-user\":{}}}"), jason)).isTrue();
        assertThat(MatchIntersection.contains(json("{\"headers\":{\"end-user\":{\"exact\":\"jason\"}},\"port\":9080}"), jason)).isFalse();
        assertThat(MatchIntersection.contains(json("{\"headers\":{\"end-user\":{\"regex\":\"j.*\"}}}"), jason)).isTrue();
        assertThat(MatchIntersection.contains(json("{\"headers\":{\"end-user\":{\"exact\":\"jason\"}}}"), null)).isFalse();
        assertThat(MatchIntersection.contains(json("{\"gateways\":[\"ingress\"]}"), jason)).isFalse();
    }
}

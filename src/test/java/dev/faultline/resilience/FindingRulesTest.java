package dev.faultline.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.experiment.spec.ExperimentSpec;
import dev.faultline.mesh.Posture;
import dev.faultline.resilience.Finding.Kind;
import dev.faultline.resilience.Impact.Edge;
import dev.faultline.resilience.Impact.Traffic;
import dev.faultline.run.Run;
import dev.faultline.testing.CrdSchema;
import dev.faultline.testing.IstioFixtures;
import io.fabric8.zjsonpatch.JsonPatch;

/** Each finding rule on figures alone, at its threshold and just short of it, and the suggestions applied to Bookinfo's resources. */
class FindingRulesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant APPLIED = Instant.parse("2026-12-04T10:00:00Z");
    private static final Duration FAULT = Duration.ofSeconds(30);
    private static final Pattern PATCH = Pattern.compile("patch (virtualservice|destinationrule) (\\S+) --type=(json|merge) -p '(.*)'");

    // --- building blocks ---

    private static Traffic traffic(double rate, double errors, double p99) {
        return new Traffic(rate, errors, errors, p99 / 2, p99);
    }

    private static Traffic traffic(double rate, double errors, double errorsNotInjected, double p99) {
        return new Traffic(rate, errors, errorsNotInjected, p99 / 2, p99);
    }

    private static Edge edge(String caller, String destination, String reporter, Traffic before, Traffic during) {
        boolean gateway = caller.equals("istio-ingressgateway");
        return new Edge(gateway ? caller : caller + "-v1", gateway ? "istio-system" : "bookinfo", caller, destination, "bookinfo", reporter,
                destination.equals("reviews"), before, during, null, ImpactQueries.change(before, during));
    }

    private static Impact impact(Edge... edges) {
        Impact.Window during = new Impact.Window(APPLIED, APPLIED.plus(FAULT));
        Impact.Window before = new Impact.Window(APPLIED.minus(FAULT).minusSeconds(2), APPLIED.minusSeconds(2));
        return new Impact("r1", new Impact.Target("bookinfo", "reviews"), new Impact.Windows(before, during, null), List.of(edges), null, 6,
                List.of());
    }

    private static Posture.Route route(int index, String timeout, Posture.Retries retries) {
        return new Posture.Route("reviews", "#" + index, index, List.of("v1"), timeout, retries);
    }

    private static Posture posture(Posture.CircuitBreaker breaker, Posture.Route... routes) {
        return new Posture("bookinfo", "UNSET", "none", List.of(
                new Posture.Service("productpage", "sidecar", null, "UNSET", "none", List.of(), null, List.of()),
                new Posture.Service("reviews", "sidecar", null, "UNSET", "none", List.of(routes), breaker, List.of())));
    }

    private static Posture allV1() {
        return posture(null, route(0, null, null));
    }

    private static ExperimentSpec spec(String fault, String... guardrails) {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: faultline.dev/v1
                kind: Experiment
                metadata: { name: findings }
                spec:
                  target: { namespace: bookinfo, service: reviews }
                  faults:
                    - %s
                  duration: 30s
                """.formatted(fault));
        if (guardrails.length > 0) {
            yaml.append("  guardrails:\n");
            for (String guardrail : guardrails) {
                yaml.append(guardrail.indent(4));
            }
        }
        return ExperimentCodec.decode(yaml.toString(), DocumentFormat.YAML).spec();
    }

    private static ExperimentSpec delay(String fixedDelay) {
        return spec("delay: { fixedDelay: " + fixedDelay + ", percentage: 100 }");
    }

    private static final ExperimentSpec ABORT = spec("abort: { httpStatus: 503, percentage: 50 }");

    private static List<Run.Sample> samples(int guardrail, double... values) {
        List<Run.Sample> samples = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            samples.add(new Run.Sample("spec.guardrails[" + guardrail + "]", "OBSERVING", APPLIED.plusSeconds(2 + i), values[i], true, "below 0.2",
                    null));
        }
        return samples;
    }

    private static List<Finding> of(Kind kind, List<Finding> findings) {
        return findings.stream().filter(finding -> finding.kind() == kind).toList();
    }

    /** The resource the suggestion's kubectl patch makes of {@code resource}, checked against Istio's CRD schema. */
    private static JsonNode applied(String suggestion, ObjectNode resource) throws Exception {
        Matcher patch = PATCH.matcher(suggestion);
        assertThat(patch.find()).as(suggestion).isTrue();
        assertThat(patch.group(2)).isEqualTo(resource.path("metadata").path("name").asText());
        JsonNode changes = JSON.readTree(patch.group(4));
        JsonNode result = patch.group(3).equals("json") ? JsonPatch.apply(changes, resource)
                : JSON.readerForUpdating(resource.deepCopy()).readValue(changes);
        CrdSchema.istio().assertValid(result);
        return result;
    }

    private static ObjectNode fixture(String sample, String name) {
        ObjectNode resource = IstioFixtures.documents(sample).stream().filter(d -> d.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow();
        ((ObjectNode) resource.path("metadata")).put("namespace", "bookinfo");
        return resource;
    }

    // --- a delay that reached the caller ---

    @Test
    void aDelayThatRaisedTheCallersP99ByHalfOfItIsAMissingTimeoutWithAPatchForTheRoute() throws Exception {
        Edge reached = edge("productpage", "reviews", "source", traffic(10, 0, 10), traffic(10, 0, 1010));
        List<Finding> findings = FindingRules.of(impact(reached, edge("istio-ingressgateway", "productpage", "source", traffic(10, 0, 30),
                traffic(10, 0, 1030))), allV1(), delay("2s"), List.of());

        assertThat(findings).hasSize(1);
        Finding finding = findings.get(0);
        assertThat(finding.kind()).isEqualTo(Kind.MISSING_TIMEOUT);
        assertThat(finding.caller()).isEqualTo("productpage");
        assertThat(finding.service()).isEqualTo("reviews");
        assertThat(finding.message()).isEqualTo("a 2s delay on reviews reached productpage in full: its calls to reviews have no timeout");
        assertThat(finding.evidence()).contains("p99 10 ms before the run, 1.01 s during the fault", "no timeout on VirtualService reviews route #0",
                "productpage's own p99 30 ms → 1.03 s");
        assertThat(finding.line()).startsWith("missingTimeout: a 2s delay");
        JsonNode patched = applied(finding.suggestion(), fixture("virtual-service-all-v1", "reviews"));
        assertThat(patched.path("spec").path("http").path(0).path("timeout").asText()).as("twice the usual p99, at least 100 ms").isEqualTo("0.1s");
    }

    @Test
    void aRiseShortOfHalfTheDelayOrARouteWithATimeoutIsNoFinding() {
        Edge justShort = edge("productpage", "reviews", "source", traffic(10, 0, 10), traffic(10, 0, 1009));
        assertThat(FindingRules.of(impact(justShort), allV1(), delay("2s"), List.of())).isEmpty();

        Edge reached = edge("productpage", "reviews", "source", traffic(10, 0, 10), traffic(10, 0, 2010));
        assertThat(FindingRules.of(impact(reached), posture(null, route(0, "3s", null)), delay("2s"), List.of()))
                .as("a timeout is set (longer than the delay, but set)").isEmpty();
        assertThat(FindingRules.of(impact(edge("productpage", "reviews", "destination", traffic(10, 0, 10), traffic(10, 0, 2010))), allV1(),
                delay("2s"), List.of())).as("a destination's report does not carry the caller's delay").isEmpty();
        assertThat(FindingRules.of(impact(reached), allV1(), ABORT, List.of())).as("no delay, no timeout finding").isEmpty();
    }

    @Test
    void withoutAVirtualServiceTheSuggestionIsOneForAllCallsWithATimeout() {
        Edge reached = edge("productpage", "reviews", "source", traffic(10, 0, 300), traffic(10, 0, 2300));
        Finding finding = FindingRules.of(impact(reached), posture(null), delay("2s"), List.of()).get(0);

        assertThat(finding.evidence()).contains("no VirtualService routes calls to reviews");
        JsonNode vs = IstioFixtures.yaml(finding.suggestion().substring(finding.suggestion().indexOf("apiVersion")));
        CrdSchema.istio().assertValid(vs);
        assertThat(vs.path("spec").path("http").path(0).path("timeout").asText()).as("600 ms rounded up").isEqualTo("1s");
        assertThat(FindingRules.timeoutFor(120)).isEqualTo(Duration.ofMillis(250));
        assertThat(FindingRules.timeoutFor(2600)).isEqualTo(Duration.ofSeconds(10));
    }

    // --- failures passed on ---

    private static Edge callsFailing(double before, double during) {
        return edge("productpage", "reviews", "source", traffic(10, before, 10), traffic(10, during, 10));
    }

    private static Edge intoProductpage(double before, double during) {
        return edge("istio-ingressgateway", "productpage", "source", traffic(10, before, 30), traffic(10, during, 30));
    }

    @Test
    void aCallerWhoseOwnErrorsRoseByHalfOfItsCallsErrorsPassedThemOnAndHasNoRetries() throws Exception {
        List<Finding> findings = of(Kind.MISSING_RETRIES, FindingRules.of(impact(callsFailing(0, 0.5), intoProductpage(0, 0.25)), allV1(), ABORT,
                List.of()));

        assertThat(findings).hasSize(1);
        Finding finding = findings.get(0);
        assertThat(finding.caller()).isEqualTo("productpage");
        assertThat(finding.message()).startsWith("productpage passed reviews's failures on to its own callers, and no retries are stated on "
                + "VirtualService reviews route #0.").contains("Istio does not retry the aborts it injects");
        assertThat(finding.evidence()).contains("errors 0 % before the run, 50 % during the fault", "the calls into productpage 0 % → 25 %",
                "states no retries");
        JsonNode patched = applied(finding.suggestion(), fixture("virtual-service-all-v1", "reviews"));
        assertThat(patched.path("spec").path("http").path(0).path("retries").path("attempts").asInt()).isEqualTo(2);
        assertThat(patched.path("spec").path("http").path(0).path("retries").path("retryOn").asText()).contains("5xx");

        assertThat(of(Kind.MISSING_RETRIES, FindingRules.of(impact(callsFailing(0, 0.5), intoProductpage(0, 0.249)), allV1(), ABORT, List.of())))
                .as("just short of half").isEmpty();
        assertThat(of(Kind.MISSING_RETRIES, FindingRules.of(impact(callsFailing(0, 0.5)), allV1(), ABORT, List.of())))
                .as("nothing recorded of the calls into productpage: not known").isEmpty();
        assertThat(of(Kind.MISSING_RETRIES, FindingRules.of(impact(callsFailing(0, 0.009), intoProductpage(0, 0.009)), allV1(), ABORT, List.of())))
                .as("less than a point of errors on its calls").isEmpty();
    }

    @Test
    void retriesTurnedOffAreSaidSoAndRetriesThatExistGiveErrorsPassedOnWithOutlierDetection() throws Exception {
        Finding off = of(Kind.MISSING_RETRIES, FindingRules.of(impact(callsFailing(0, 0.5), intoProductpage(0, 0.5)),
                posture(null, route(0, "1s", new Posture.Retries(0, null, null))), ABORT, List.of())).get(0);
        assertThat(off.message()).contains("retries are turned off on VirtualService reviews route #0");

        Posture.CircuitBreaker noDetection = new Posture.CircuitBreaker("reviews", null, null, List.of());
        List<Finding> retrying = FindingRules.of(impact(callsFailing(0, 0.5), intoProductpage(0, 0.5)),
                posture(noDetection, route(0, "1s", new Posture.Retries(3, "250ms", "5xx"))), ABORT, List.of());
        assertThat(of(Kind.MISSING_RETRIES, retrying)).isEmpty();
        Finding passedOn = of(Kind.ERRORS_PASSED_ON, retrying).get(0);
        assertThat(passedOn.message()).contains("although its calls to reviews are retried");
        assertThat(passedOn.evidence()).contains("retries 3 times on 5xx");
        JsonNode patched = applied(passedOn.suggestion(), fixture("destination-rule-all", "reviews"));
        assertThat(patched.path("spec").path("trafficPolicy").path("outlierDetection").path("consecutive5xxErrors").asInt()).isEqualTo(5);
        assertThat(patched.path("spec").path("subsets")).as("the merge patch keeps the subsets").hasSize(3);
    }

    // --- errors spreading ---

    @Test
    void errorsTwoCallsUpFromTheTargetNameTheirPathAndOneCallIsNotASpread() {
        Edge ratingsIntoReviews = edge("reviews", "ratings", "source", traffic(5, 0, 5), traffic(5, 0, 5));
        List<Finding> spread = of(Kind.ERRORS_SPREAD, FindingRules.of(impact(callsFailing(0, 0.5), intoProductpage(0, 0.01), ratingsIntoReviews),
                allV1(), ABORT, List.of()));
        assertThat(spread).hasSize(1);
        assertThat(spread.get(0).path()).containsExactly("istio-ingressgateway", "productpage", "reviews");
        assertThat(spread.get(0).caller()).isEqualTo("istio-ingressgateway");
        assertThat(spread.get(0).message()).isEqualTo("errors from reviews spread 2 calls up, to istio-ingressgateway: "
                + "istio-ingressgateway → productpage → reviews");
        assertThat(spread.get(0).evidence()).isEqualTo("istio-ingressgateway → productpage errors 0 % → 1.0 %; productpage → reviews errors 0 % → 50 %");
        assertThat(spread.get(0).suggestion()).startsWith("Stop the failures at productpage").contains("kind: DestinationRule", "outlierDetection");

        assertThat(of(Kind.ERRORS_SPREAD, FindingRules.of(impact(callsFailing(0, 0.5), intoProductpage(0, 0.0099)), allV1(), ABORT, List.of())))
                .as("the gateway's calls rose less than a point: one call, not a spread").isEmpty();
    }

    // --- guardrails that did not move ---

    private static final String DESTINATION_ERRORS = """
            - name: reviews errors
              goldenSignal: { signal: errorRate, service: reviews, window: 10s }
              tolerance: { below: 0.2 }""";

    @Test
    void aDestinationReportedGuardrailThatStayedWhileTheCallersSawTheAbortIsBlindAndShouldReadTheSource() {
        ExperimentSpec spec = spec("abort: { httpStatus: 503, percentage: 50 }", DESTINATION_ERRORS);
        List<Finding> findings = of(Kind.BLIND_GUARDRAIL, FindingRules.of(impact(callsFailing(0, 0.5)), allV1(), spec, samples(0, 0, 0.01, 0.02, 0)));

        assertThat(findings).hasSize(1);
        Finding finding = findings.get(0);
        assertThat(finding.guardrail()).isEqualTo("reviews errors");
        assertThat(finding.service()).isEqualTo("reviews");
        assertThat(finding.caller()).isEqualTo("productpage");
        assertThat(finding.message()).isEqualTo("guardrail reviews errors did not move while the calls into reviews did: it reads reviews's calls "
                + "as reviews's own proxy reports them, and that proxy never sees the faults its callers' proxies inject");
        assertThat(finding.evidence()).contains("errors 0 % before the run, 50 % during the fault (reported by source)",
                "4 checks during the fault read 0 to 0.02 (below 0.2)");
        assertThat(finding.suggestion()).contains("reporter: source", "name: reviews errors", "below: 0.2");
        ExperimentSpec fixed = spec("abort: { httpStatus: 503, percentage: 50 }",
                finding.suggestion().substring(finding.suggestion().indexOf("- name")));
        assertThat(fixed.guardrails().get(0).measurement().goldenSignal().reporter()).hasToString("SOURCE");
    }

    @Test
    void aGuardrailThatMovedOrFailedOrWhoseEdgeStayedIsNotBlind() {
        ExperimentSpec spec = spec("abort: { httpStatus: 503, percentage: 50 }", DESTINATION_ERRORS);
        assertThat(of(Kind.BLIND_GUARDRAIL, FindingRules.of(impact(callsFailing(0, 0.5)), allV1(), spec, samples(0, 0, 0.0201))))
                .as("moved by more than a tenth of its limit").isEmpty();
        List<Run.Sample> failed = new ArrayList<>(samples(0, 0, 0));
        failed.add(new Run.Sample("spec.guardrails[0]", "OBSERVING", APPLIED.plusSeconds(9), 0.0, false, "below 0.2", "no data"));
        assertThat(of(Kind.BLIND_GUARDRAIL, FindingRules.of(impact(callsFailing(0, 0.5)), allV1(), spec, failed))).isEmpty();
        assertThat(of(Kind.BLIND_GUARDRAIL, FindingRules.of(impact(callsFailing(0, 0.0099)), allV1(), spec, samples(0, 0, 0))))
                .as("the calls into reviews moved less than a point").isEmpty();
        assertThat(of(Kind.BLIND_GUARDRAIL, FindingRules.of(impact(callsFailing(0, 0.5)), allV1(), spec, samples(0, 0))))
                .as("one check is not enough to say").isEmpty();
        List<Run.Sample> afterTheFault = List.of(new Run.Sample("spec.guardrails[0]", "RECOVERING", APPLIED.plusSeconds(40), 0.0, true, "", null),
                new Run.Sample("spec.guardrails[0]", "RECOVERING", APPLIED.plusSeconds(41), 0.0, true, "", null));
        assertThat(of(Kind.BLIND_GUARDRAIL, FindingRules.of(impact(callsFailing(0, 0.5)), allV1(), spec, afterTheFault)))
                .as("only the checks during the fault count").isEmpty();
    }

    @Test
    void aGuardrailLeavingOutInjectedFaultsIsJudgedOnTheErrorsNotInjected() {
        ExperimentSpec spec = spec("abort: { httpStatus: 503, percentage: 50 }", """
                - name: reviews own errors
                  goldenSignal: { signal: errorRate, service: reviews, reporter: source, excludeInjected: true, window: 10s }
                  tolerance: { below: 0.2 }""");
        Edge onlyInjected = edge("productpage", "reviews", "source", traffic(10, 0, 0, 10), traffic(10, 0.5, 0, 10));
        assertThat(of(Kind.BLIND_GUARDRAIL, FindingRules.of(impact(onlyInjected), allV1(), spec, samples(0, 0, 0, 0)))).isEmpty();
        Edge ownErrors = edge("productpage", "reviews", "source", traffic(10, 0, 0, 10), traffic(10, 0.6, 0.1, 10));
        assertThat(of(Kind.BLIND_GUARDRAIL, FindingRules.of(impact(ownErrors), allV1(), spec, samples(0, 0, 0, 0)))).hasSize(1);
    }

    @Test
    void aWindowMuchLongerThanTheFaultAveragesItAway() {
        ExperimentSpec spec = spec("delay: { fixedDelay: 2s, percentage: 100 }", """
                - name: reviews p99
                  goldenSignal: { signal: latencyP99, service: reviews, reporter: source, window: 5m }
                  tolerance: { below: 3000 }""");
        Edge slower = edge("productpage", "reviews", "source", traffic(10, 0, 10), traffic(10, 0, 14));
        Finding finding = of(Kind.BLIND_GUARDRAIL, FindingRules.of(impact(slower), posture(null, route(0, "1s", null)), spec,
                samples(0, 10, 11, 12))).get(0);
        assertThat(finding.message()).endsWith("its 5m window averages the 30s fault away");
        assertThat(finding.evidence()).contains("p99 10 ms before the run, 14 ms during the fault");
        assertThat(finding.suggestion()).contains("window: 15s");
        Edge barely = edge("productpage", "reviews", "source", traffic(10, 0, 10), traffic(10, 0, 11.9));
        assertThat(of(Kind.BLIND_GUARDRAIL, FindingRules.of(impact(barely), posture(null, route(0, "1s", null)), spec, samples(0, 10, 11, 12))))
                .as("p99 up by less than a fifth").isEmpty();
    }

    @Test
    void aRawQueryNamingItsServiceIsJudgedByErrorsAndAGoldenSignalFromTheCallersIsSuggested() {
        ExperimentSpec spec = spec("abort: { httpStatus: 503, percentage: 50 }", """
                - name: reviews 5xx
                  prometheus: { query: "sum(rate(istio_requests_total{destination_service_name=\\"reviews\\",response_code=~\\"5..\\"}[10s]))" }
                  tolerance: { below: 5 }""");
        Finding finding = of(Kind.BLIND_GUARDRAIL, FindingRules.of(impact(callsFailing(0, 0.5)), allV1(), spec, samples(0, 0, 0.1, 0))).get(0);
        assertThat(finding.message()).endsWith("its query did not follow the calls into reviews");
        assertThat(finding.suggestion()).contains("goldenSignal", "signal: errorRate", "service: reviews", "reporter: source");
        assertThat(FindingRules.serviceIn("rate(istio_requests_total{destination_service=~\"ratings.bookinfo.svc.cluster.local\"}[1m])"))
                .contains("ratings");
        assertThat(FindingRules.serviceIn("up")).isEmpty();
    }
}

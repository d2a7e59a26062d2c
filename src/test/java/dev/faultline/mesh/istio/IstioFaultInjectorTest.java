package dev.faultline.mesh.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.experiment.spec.Fault;
import dev.faultline.experiment.spec.Target;
import dev.faultline.mesh.FaultInjector;
import dev.faultline.mesh.FaultInjector.Removal;
import dev.faultline.mesh.FaultPlan;
import dev.faultline.mesh.FaultRequest;
import dev.faultline.mesh.MeshException;
import dev.faultline.mesh.OwnedRule;
import dev.faultline.mesh.RuleRef;
import dev.faultline.testing.CrdSchema;
import dev.faultline.testing.IstioFixtures;
import dev.faultline.playground.IstioRouting;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

@QuarkusTest
@WithKubernetesTestServer(crud = true)
class IstioFaultInjectorTest {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final Fault.Delay DELAY = new Fault.Delay(Duration.ofMillis(2500), 50);
    private static final Fault.Abort ABORT = new Fault.Abort(503, null, 10);
    private static final Target.Match JASON = new Target.Match(Map.of("end-user", new Target.StringMatch("jason", null, null)), null);

    @KubernetesTestServer
    KubernetesServer server;
    @Inject
    FaultInjector injector;

    private KubernetesClient client() {
        return server.getClient();
    }

    /** A fresh namespace holding Bookinfo's Services and the VirtualServices of {@code samples}. */
    private String namespace(String... samples) {
        String namespace = "bookinfo-" + NAMESPACES.incrementAndGet();
        IstioFixtures.seed(client(), namespace, samples);
        return namespace;
    }

    private static FaultRequest request(String run, String namespace, String service, String subset, Target.Match match,
            Fault.Delay delay, Fault.Abort abort) {
        return new FaultRequest(run, new Target("istio", namespace, service, subset, null, match), delay, abort,
                Instant.parse("2026-11-24T12:00:00Z"), false);
    }

    private JsonNode vs(String namespace, String name) {
        return IstioFixtures.virtualService(client(), namespace, name);
    }

    @Test
    void injectsDelayAbortAndBothWithAndWithoutHeaderMatchIntoEveryBookinfoServiceAndRemovesThemWithoutATrace() {
        int run = 0;
        for (String service : IstioFixtures.SERVICES) {
            String namespace = namespace("virtual-service-all-v1");
            JsonNode original = vs(namespace, service);
            var destinationRules = IstioFixtures.destinationRules(client(), namespace);
            assertThat(destinationRules).hasSize(4);
            for (Target.Match match : new Target.Match[] { null, JASON }) {
                for (Fault.Delay delay : new Fault.Delay[] { DELAY, null }) {
                    for (Fault.Abort abort : new Fault.Abort[] { ABORT, null }) {
                        if (delay == null && abort == null) {
                            continue;
                        }
                        FaultRequest request = request("run" + ++run, namespace, service, "v1", match, delay, abort);
                        RuleRef rule = injector.apply(request);

                        JsonNode written = vs(namespace, service);
                        CrdSchema.istio().assertValid(written);
                        JsonNode faultRoute = written.path("spec").path("http").get(0);
                        assertThat(faultRoute.path("name").asText()).isEqualTo("faultline-run" + run);
                        assertThat(faultRoute.path("route")).isEqualTo(original.path("spec").path("http").get(0).path("route"));
                        assertThat(faultRoute.path("fault").has("delay")).isEqualTo(delay != null);
                        assertThat(faultRoute.path("fault").has("abort")).isEqualTo(abort != null);
                        assertThat(faultRoute.has("match")).isEqualTo(match != null);
                        assertThat(written.path("spec").path("http").get(1)).isEqualTo(original.path("spec").path("http").get(0));
                        assertThat(written.path("metadata").path("annotations").path("faultline.dev/run").asText()).isEqualTo("run" + run);
                        assertThat(written.path("metadata").path("annotations").path("faultline.dev/expires-at").asText())
                                .isEqualTo("2026-11-24T12:00:00Z");

                        assertThat(injector.remove(rule)).isEqualTo(Removal.REMOVED);
                        JsonNode after = vs(namespace, service);
                        assertThat(after.path("spec")).isEqualTo(original.path("spec"));
                        assertThat(after.path("metadata").path("annotations")).isEqualTo(original.path("metadata").path("annotations"));
                        assertThat(after.path("metadata").path("labels")).isEqualTo(original.path("metadata").path("labels"));
                    }
                }
            }
            assertThat(IstioFixtures.destinationRules(client(), namespace)).isEqualTo(destinationRules);
        }
    }

    @Test
    void theFaultIsWrittenAsIstioExpectsIt() {
        String namespace = namespace("virtual-service-all-v1");
        injector.apply(request("shape", namespace, "reviews", "v1", JASON, DELAY, ABORT));

        JsonNode route = vs(namespace, "reviews").path("spec").path("http").get(0);
        assertThat(route.path("match").get(0).path("headers").path("end-user").path("exact").asText()).isEqualTo("jason");
        assertThat(route.path("fault").path("delay").path("fixedDelay").asText()).isEqualTo("2.5s");
        assertThat(route.path("fault").path("delay").path("percentage").path("value").asDouble()).isEqualTo(50.0);
        assertThat(route.path("fault").path("abort").path("httpStatus").asInt()).isEqualTo(503);
        assertThat(route.path("fault").path("abort").path("percentage").path("value").asDouble()).isEqualTo(10.0);
    }

    @Test
    void aRouteThatAlreadyHasAFaultIsServedWithAWarningAndKeptIntact() {
        for (String sample : List.of("virtual-service-ratings-test-abort", "virtual-service-ratings-test-delay")) {
            String namespace = namespace(sample);
            JsonNode original = vs(namespace, "ratings");
            FaultRequest request = request("existing", namespace, "ratings", "v1", JASON, DELAY, null);

            FaultPlan plan = injector.plan(request);
            assertThat(plan.warnings()).anyMatch(warning -> warning.contains("already injects a fault"));
            RuleRef rule = injector.apply(request);
            JsonNode written = vs(namespace, "ratings");
            CrdSchema.istio().assertValid(written);
            assertThat(written.path("spec").path("http")).hasSize(3);
            assertThat(written.path("spec").path("http").get(0).path("fault").has("abort")).isFalse();
            assertThat(written.path("spec").path("http").get(1)).isEqualTo(original.path("spec").path("http").get(0));

            injector.remove(rule);
            assertThat(vs(namespace, "ratings").path("spec")).isEqualTo(original.path("spec"));
        }
    }

    @Test
    void severalRoutesToTheServiceAreTellApartBySubsetOrMatchOrExplained() {
        String namespace = namespace("virtual-service-reviews-test-v2");

        FaultPlan v2 = injector.plan(request("pick", namespace, "reviews", "v2", null, DELAY, null));
        assertThat(v2.after().path("spec").path("http").get(0).path("route").get(0).path("destination").path("subset").asText())
                .isEqualTo("v2");
        assertThat(v2.after().path("spec").path("http").get(0).path("match").get(0).path("headers").path("end-user")
                .path("exact").asText()).isEqualTo("jason");
        FaultPlan v1 = injector.plan(request("pick", namespace, "reviews", "v1", null, DELAY, null));
        assertThat(v1.after().path("spec").path("http").get(1).path("name").asText()).isEqualTo("faultline-pick");
        assertThat(v1.after().path("spec").path("http").get(1).has("match")).isFalse();
        FaultPlan bob = injector.plan(request("pick", namespace, "reviews", null,
                new Target.Match(Map.of("end-user", new Target.StringMatch("bob", null, null)), null), DELAY, null));
        assertThat(bob.after().path("spec").path("http").get(1).path("name").asText()).isEqualTo("faultline-pick");

        assertThatThrownBy(() -> injector.plan(request("pick", namespace, "reviews", null, null, DELAY, null)))
                .isInstanceOf(MeshException.class)
                .hasMessageContaining("2 routes of VirtualService " + namespace + "/reviews")
                .hasMessageContaining("http[0] match")
                .hasMessageContaining("spec.target.route");
    }

    @Test
    void aWeightedSplitNeedsConsentToFaultEverySubset() {
        String namespace = namespace("virtual-service-reviews-80-20");
        FaultRequest v2 = request("split", namespace, "reviews", "v2", null, null, ABORT);

        FaultPlan plan = injector.plan(v2);
        assertThat(plan.needsConsent()).isTrue();
        assertThat(plan.warnings()).anyMatch(warning -> warning.contains("splits traffic by weight across subsets [v1, v2]"));
        assertThatThrownBy(() -> injector.apply(v2)).isInstanceOf(MeshException.class)
                .extracting(e -> ((MeshException) e).reason()).isEqualTo(MeshException.Reason.REFUSED);
        assertThat(vs(namespace, "reviews").path("spec").path("http")).hasSize(1);

        RuleRef rule = injector.apply(new FaultRequest("split", v2.target(), null, ABORT, v2.expiresAt(), true));
        JsonNode written = vs(namespace, "reviews");
        CrdSchema.istio().assertValid(written);
        assertThat(written.path("spec").path("http").get(0).path("route")).hasSize(2);
        injector.remove(rule);
        assertThat(injector.plan(request("whole", namespace, "reviews", null, null, null, ABORT)).needsConsent()).isFalse();
    }

    @Test
    void withoutAVirtualServiceFaultlineCreatesAndDeletesItsOwn() {
        String namespace = namespace();
        RuleRef rule = injector.apply(request("solo", namespace, "details", null, JASON, DELAY, null));

        JsonNode created = vs(namespace, "faultline-solo");
        CrdSchema.istio().assertValid(created);
        assertThat(rule.dedicated()).isTrue();
        assertThat(created.path("metadata").path("labels").path("app.kubernetes.io/managed-by").asText()).isEqualTo("faultline");
        assertThat(created.path("spec").path("hosts").get(0).asText()).isEqualTo("details");
        assertThat(created.path("spec").path("http")).hasSize(2);
        assertThat(created.path("spec").path("http").get(1).has("match")).isFalse();

        assertThat(injector.remove(rule)).isEqualTo(Removal.REMOVED);
        assertThat(vs(namespace, "faultline-solo")).isNull();
        assertThat(injector.remove(rule)).isEqualTo(Removal.ALREADY_GONE);
    }

    @Test
    void theKillSwitchTakesOutEveryRuleOfTheNamespaceInOnePassAndLeavesTheRestAsItWas() {
        String namespace = namespace("virtual-service-all-v1");
        JsonNode reviews = vs(namespace, "reviews");
        JsonNode productpage = vs(namespace, "productpage");
        List<JsonNode> untouched = List.of(vs(namespace, "ratings"), vs(namespace, "details"));
        client().genericKubernetesResources(IstioFixtures.VIRTUAL_SERVICES).inNamespace(namespace).withName("details").delete();
        RuleRef inserted = injector.apply(request("halt-a", namespace, "reviews", "v1", JASON, DELAY, null));
        RuleRef other = injector.apply(request("halt-b", namespace, "productpage", null, null, null, ABORT));
        RuleRef dedicated = injector.apply(request("halt-c", namespace, "details", null, null, DELAY, null));

        FaultInjector.BulkRemoval bulk = injector.removeAll(namespace);

        assertThat(bulk.problems()).isEmpty();
        assertThat(bulk.removed()).extracting(removed -> removed.rule().route())
                .containsExactlyInAnyOrder(inserted.route(), other.route(), dedicated.route());
        assertThat(bulk.removed()).allSatisfy(removed -> assertThat(removed.at()).isNotNull());
        assertThat(vs(namespace, "reviews").path("spec")).isEqualTo(reviews.path("spec"));
        assertThat(vs(namespace, "reviews").path("metadata").path("annotations").has("faultline.dev/run")).isFalse();
        assertThat(vs(namespace, "productpage").path("spec")).isEqualTo(productpage.path("spec"));
        assertThat(vs(namespace, "faultline-halt-c")).isNull();
        assertThat(vs(namespace, "ratings").path("spec")).isEqualTo(untouched.get(0).path("spec"));
        assertThat(injector.owned(namespace)).isEmpty();
        assertThat(injector.removeAll(namespace).removed()).as("nothing left the second time").isEmpty();
    }

    @Test
    void aSubsetWithoutRoutingNeedsConsentToo() {
        String namespace = namespace();
        FaultPlan plan = injector.plan(request("nosubset", namespace, "reviews", "v2", null, DELAY, null));
        assertThat(plan.needsConsent()).isTrue();
        assertThat(plan.before()).isNull();
        assertThat(plan.action()).isEqualTo(FaultPlan.Action.CREATE);
    }

    @Test
    void aSecondLiveRuleOnTheSameVirtualServiceIsRefusedAndApplyingTwiceIsHarmless() {
        String namespace = namespace("virtual-service-all-v1");
        RuleRef first = injector.apply(request("first", namespace, "ratings", null, null, DELAY, null));

        assertThat(injector.apply(request("first", namespace, "ratings", null, null, DELAY, null)).route()).isEqualTo(first.route());
        assertThat(vs(namespace, "ratings").path("spec").path("http")).hasSize(2);
        assertThatThrownBy(() -> injector.apply(request("second", namespace, "ratings", null, JASON, null, ABORT)))
                .isInstanceOf(MeshException.class).hasMessageContaining("run first already has a live Faultline rule");

        String empty = namespace();
        injector.apply(request("own", empty, "details", null, null, DELAY, null));
        assertThatThrownBy(() -> injector.apply(request("other", empty, "details", null, null, DELAY, null)))
                .isInstanceOf(MeshException.class).hasMessageContaining("run own already has a live Faultline rule");
    }

    @Test
    void removingARuleSomeoneElseDeletedSucceedsAndTheirOtherChangesStay() {
        String namespace = namespace("virtual-service-all-v1");
        RuleRef rule = injector.apply(request("meddled", namespace, "productpage", null, null, DELAY, null));

        edit(namespace, "productpage", vs -> {
            ArrayNode http = (ArrayNode) vs.path("spec").path("http");
            http.remove(0);
            ((ObjectNode) http.get(0)).put("timeout", "3s");
        });

        assertThat(injector.remove(rule)).isEqualTo(Removal.ALREADY_GONE);
        JsonNode after = vs(namespace, "productpage");
        assertThat(after.path("spec").path("http")).hasSize(1);
        assertThat(after.path("spec").path("http").get(0).path("timeout").asText()).isEqualTo("3s");
        assertThat(after.path("metadata").path("annotations").has("faultline.dev/run")).isFalse();
    }

    @Test
    void aChangeMadeWhileTheRuleIsLiveSurvivesItsRemoval() {
        String namespace = namespace("virtual-service-all-v1");
        RuleRef rule = injector.apply(request("busy", namespace, "details", null, null, null, ABORT));
        edit(namespace, "details", vs -> ((ObjectNode) vs.path("spec").path("http").get(1)).put("timeout", "1s"));

        assertThat(injector.remove(rule)).isEqualTo(Removal.REMOVED);
        JsonNode after = vs(namespace, "details");
        assertThat(after.path("spec").path("http")).hasSize(1);
        assertThat(after.path("spec").path("http").get(0).path("timeout").asText()).isEqualTo("1s");
    }

    @Test
    void aRampChangesThePercentageInPlace() {
        String namespace = namespace("virtual-service-all-v1");
        RuleRef rule = injector.apply(request("ramp", namespace, "reviews", null, null, DELAY, ABORT));

        injector.adjust(rule, 5.0, 1.5);

        JsonNode fault = vs(namespace, "reviews").path("spec").path("http").get(0).path("fault");
        assertThat(fault.path("delay").path("percentage").path("value").asDouble()).isEqualTo(5.0);
        assertThat(fault.path("abort").path("percentage").path("value").asDouble()).isEqualTo(1.5);
        CrdSchema.istio().assertValid(vs(namespace, "reviews"));
    }

    @Test
    void retriesAndTimeoutsOnTheServedRouteAreWarnedAbout() {
        String namespace = namespace("virtual-service-all-v1");
        edit(namespace, "reviews", vs -> {
            ObjectNode route = (ObjectNode) vs.path("spec").path("http").get(0);
            route.put("timeout", "2s");
            route.putObject("retries").put("attempts", 3);
        });
        FaultPlan plan = injector.plan(request("warn", namespace, "reviews", null, null, DELAY, null));
        assertThat(plan.warnings()).anyMatch(warning -> warning.contains("turns retries and timeouts off"));
    }

    @Test
    void aMissingServiceOrANamespaceMismatchIsExplained() {
        String namespace = namespace("virtual-service-all-v1");
        assertThatThrownBy(() -> injector.plan(request("missing", namespace, "inventory", null, null, DELAY, null)))
                .hasMessageContaining("there is no Service inventory in namespace " + namespace);
        assertThatThrownBy(() -> injector.plan(request("other", namespace, "reviews.elsewhere.svc.cluster.local", null, null, DELAY, null)))
                .hasMessageContaining("names namespace elsewhere");
        assertThat(injector.plan(request("fqdn", namespace, "reviews." + namespace + ".svc.cluster.local", null, null, DELAY, null))
                .rule().resource()).isEqualTo("reviews");
    }

    @Test
    void ownedRulesListWhatFaultlineWroteWithTheirExpiry() {
        String namespace = namespace("virtual-service-all-v1");
        injector.apply(request("listed", namespace, "reviews", null, null, DELAY, null));
        String empty = namespace();
        injector.apply(request("alone", empty, "productpage", null, null, DELAY, null));

        List<OwnedRule> owned = new java.util.ArrayList<>(injector.owned(namespace));
        owned.addAll(injector.owned(empty));
        assertThat(owned).extracting(o -> o.rule().runId()).containsExactlyInAnyOrder("listed", "alone");
        assertThat(owned).extracting(o -> o.rule().dedicated()).containsExactlyInAnyOrder(false, true);
        assertThat(owned).allSatisfy(o -> assertThat(o.expiresAt()).isEqualTo(Instant.parse("2026-11-24T12:00:00Z")));
    }

    @Test
    void aTeamsOwnRouteNamedLikeFaultlinesIsNeverTakenForOne() {
        String namespace = namespace("virtual-service-all-v1");
        edit(namespace, "reviews", vs -> ((ArrayNode) vs.path("spec").path("http")).insert(0, userRoute("faultline-ui")));
        JsonNode original = vs(namespace, "reviews");

        assertThat(injector.owned(namespace)).isEmpty();
        assertThat(injector.removeAll(namespace).removed()).isEmpty();
        assertThat(vs(namespace, "reviews")).isEqualTo(original);

        RuleRef rule = injector.apply(request("beside", namespace, "reviews", "v1", null, DELAY, null));
        JsonNode written = vs(namespace, "reviews");
        CrdSchema.istio().assertValid(written);
        assertThat(written.path("spec").path("http")).extracting(route -> route.path("name").asText())
                .containsExactly("faultline-ui", "faultline-beside", "");
        assertThat(injector.owned(namespace)).extracting(owned -> owned.rule().route()).containsExactly("faultline-beside");
        assertThat(injector.remove(rule)).isEqualTo(Removal.REMOVED);
        assertThat(vs(namespace, "reviews").path("spec")).isEqualTo(original.path("spec"));
        assertThat(vs(namespace, "reviews").path("metadata").path("annotations")).isEqualTo(original.path("metadata").path("annotations"));

        injector.apply(request("halted", namespace, "reviews", "v1", null, DELAY, null));
        assertThat(injector.removeAll(namespace).removed()).extracting(removed -> removed.rule().route())
                .containsExactly("faultline-halted");
        assertThat(vs(namespace, "reviews").path("spec")).isEqualTo(original.path("spec"));

        RuleRef forged = new RuleRef("ui", "VirtualService", namespace, "reviews", "faultline-ui", false, null);
        assertThat(injector.remove(forged)).as("the annotations do not say it is that run's").isEqualTo(Removal.ALREADY_GONE);
        assertThat(vs(namespace, "reviews").path("spec")).isEqualTo(original.path("spec"));
    }

    @Test
    void aUserRouteWithTheRulesOwnNameIsRefusedNotShadowed() {
        String namespace = namespace("virtual-service-all-v1");
        edit(namespace, "reviews", vs -> ((ArrayNode) vs.path("spec").path("http")).insert(0, userRoute("faultline-clash")));
        JsonNode original = vs(namespace, "reviews");

        assertThatThrownBy(() -> injector.apply(request("clash", namespace, "reviews", "v1", null, DELAY, null)))
                .isInstanceOf(MeshException.class)
                .hasMessageContaining("has a route named faultline-clash that Faultline did not write")
                .extracting(e -> ((MeshException) e).reason()).isEqualTo(MeshException.Reason.REFUSED);
        assertThat(vs(namespace, "reviews")).isEqualTo(original);
    }

    @Test
    void aVirtualServiceLabelledAsFaultlinesButNamingNoRunIsNotFaultlines() {
        String namespace = namespace();
        ObjectNode lookalike = (ObjectNode) IstioFixtures.documents("virtual-service-all-v1").get(0);
        ObjectNode metadata = (ObjectNode) lookalike.get("metadata");
        metadata.put("name", "faultline-lookalike").put("namespace", namespace);
        metadata.putObject("labels").put("app.kubernetes.io/managed-by", "faultline");
        client().genericKubernetesResources(IstioFixtures.VIRTUAL_SERVICES).inNamespace(namespace)
                .resource(client().getKubernetesSerialization().convertValue(lookalike, GenericKubernetesResource.class)).create();
        JsonNode original = vs(namespace, "faultline-lookalike");

        assertThat(injector.owned(namespace)).isEmpty();
        assertThat(injector.removeAll(namespace).removed()).isEmpty();
        assertThat(injector.remove(new RuleRef("lookalike", "VirtualService", namespace, "faultline-lookalike",
                "faultline-lookalike", true, null))).isEqualTo(Removal.ALREADY_GONE);
        assertThat(vs(namespace, "faultline-lookalike")).isEqualTo(original);
    }

    @Test
    void theEpochIsWrittenWithTheRuleAndReadBack() {
        String namespace = namespace("virtual-service-all-v1");
        JsonNode original = vs(namespace, "reviews");
        FaultRequest inserted = request("epoch-a", namespace, "reviews", null, null, DELAY, null);
        RuleRef rule = injector.apply(new FaultRequest(inserted.runId(), inserted.target(), DELAY, null, inserted.expiresAt(), false, 7));
        FaultRequest alone = request("epoch-b", namespace, "details", null, null, DELAY, null);
        client().genericKubernetesResources(IstioFixtures.VIRTUAL_SERVICES).inNamespace(namespace).withName("details").delete();
        injector.apply(new FaultRequest(alone.runId(), alone.target(), DELAY, null, alone.expiresAt(), false, 12));

        JsonNode written = vs(namespace, "reviews");
        CrdSchema.istio().assertValid(written);
        CrdSchema.istio().assertValid(vs(namespace, "faultline-epoch-b"));
        assertThat(written.path("metadata").path("annotations").path("faultline.dev/epoch").asText()).isEqualTo("7");
        assertThat(vs(namespace, "faultline-epoch-b").path("metadata").path("annotations").path("faultline.dev/epoch").asText())
                .isEqualTo("12");
        assertThat(injector.owned(namespace)).extracting(o -> o.rule().runId() + "@" + o.epoch())
                .containsExactlyInAnyOrder("epoch-a@7", "epoch-b@12");

        edit(namespace, "reviews", vs -> ((ObjectNode) vs.path("metadata").path("annotations")).put("faultline.dev/epoch", "seven"));
        assertThat(injector.owned(namespace)).filteredOn(o -> o.rule().runId().equals("epoch-a")).singleElement()
                .extracting(OwnedRule::epoch).isEqualTo(0L);

        assertThat(injector.remove(rule)).isEqualTo(Removal.REMOVED);
        assertThat(vs(namespace, "reviews").path("metadata").path("annotations")).isEqualTo(original.path("metadata").path("annotations"));
    }

    @Test
    void annotationsNamingARouteThatIsGoneAreStillOwnedSoTheyGetCleanedUp() {
        String namespace = namespace("virtual-service-all-v1");
        JsonNode original = vs(namespace, "ratings");
        injector.apply(request("stale", namespace, "ratings", null, null, DELAY, null));
        edit(namespace, "ratings", vs -> ((ArrayNode) vs.path("spec").path("http")).remove(0));

        assertThat(injector.owned(namespace)).extracting(o -> o.rule().route()).containsExactly("faultline-stale");
        assertThat(injector.removeAll(namespace).problems()).isEmpty();
        assertThat(vs(namespace, "ratings").path("metadata").path("annotations")).isEqualTo(original.path("metadata").path("annotations"));
        assertThat(vs(namespace, "ratings").path("spec")).isEqualTo(original.path("spec"));
        assertThat(injector.owned(namespace)).isEmpty();
    }

    @Test
    void aFenceThatRefusesStopsEveryWrite() {
        String namespace = namespace("virtual-service-all-v1");
        JsonNode original = vs(namespace, "reviews");
        MeshException lost = new MeshException(MeshException.Reason.REFUSED, "run was taken over");
        dev.faultline.mesh.Fence refusing = () -> {
            throw lost;
        };

        assertThatThrownBy(() -> injector.apply(request("fenced", namespace, "reviews", null, null, DELAY, null), refusing))
                .isSameAs(lost);
        assertThat(vs(namespace, "reviews")).isEqualTo(original);
        String empty = namespace();
        assertThatThrownBy(() -> injector.apply(request("fenced", empty, "details", null, null, DELAY, null), refusing)).isSameAs(lost);
        assertThat(IstioFixtures.virtualServices(client(), empty)).isEmpty();

        RuleRef rule = injector.apply(request("ramped", namespace, "reviews", null, null, DELAY, ABORT));
        JsonNode applied = vs(namespace, "reviews");
        assertThatThrownBy(() -> injector.adjust(rule, 100.0, 100.0, refusing)).isSameAs(lost);
        assertThat(vs(namespace, "reviews")).isEqualTo(applied);
        assertThat(injector.remove(rule)).as("removal never asks the fence").isEqualTo(Removal.REMOVED);
    }

    /** A route of the team's own, to reviews v2 for /ui, whose name merely starts like Faultline's. */
    private static ObjectNode userRoute(String name) {
        ObjectNode route = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        route.put("name", name);
        route.putArray("match").addObject().putObject("uri").put("prefix", "/ui");
        route.putArray("route").addObject().putObject("destination").put("host", "reviews").put("subset", "v2");
        return route;
    }

    /** Reviews routed by the given http routes (YAML, as users write them) instead of Bookinfo's own. */
    private String routedBy(String httpRoutes) {
        String namespace = namespace("virtual-service-all-v1");
        edit(namespace, "reviews", vs -> ((ObjectNode) vs.get("spec")).set("http", IstioFixtures.yaml(httpRoutes)));
        return namespace;
    }

    private static Target.Match match(String yaml) {
        return IstioFixtures.yamlAs(yaml, Target.Match.class);
    }

    @Test
    void aTargetMatchNarrowsAPrefixRouteAndIsRefusedWhereThatRouteNeverServesIt() {
        String namespace = routedBy("""
                - name: beta
                  match: [ { headers: { x-group: { prefix: "beta-" } } } ]
                  route: [ { destination: { host: reviews, subset: v2 } } ]
                - name: default
                  route: [ { destination: { host: reviews, subset: v1 } } ]
                """);
        // carol is never routed to v2: faulting "carol on v2" must not send her there, nor fault her on v1
        assertThatThrownBy(() -> injector.plan(request("carol", namespace, "reviews", "v2",
                match("headers: { x-group: { exact: carol } }"), null, ABORT)))
                .isInstanceOf(MeshException.class).hasMessageStartingWith("the requests of spec.target.match are never served by route")
                .hasMessageContaining("\"beta\"").hasMessageContaining("(prefix \"beta-\") and spec.target.match.headers.x-group (exact \"carol\")");

        RuleRef rule = injector.apply(request("beta7", namespace, "reviews", "v2", match("headers: { x-group: { exact: beta-7 } }"), null, ABORT));
        JsonNode written = vs(namespace, rule.resource());
        CrdSchema.istio().assertValid(written);
        JsonNode faultRoute = written.path("spec").path("http").get(0);
        assertThat(faultRoute.path("match")).isEqualTo(IstioFixtures.yaml("[ { headers: { x-group: { exact: beta-7 } } } ]"));
        assertThat(faultRoute.path("route")).isEqualTo(IstioFixtures.yaml("[ { destination: { host: reviews, subset: v2 } } ]"));
        assertThat(IstioRouting.route(written, request(Map.of("x-group", "beta-7")))).isZero();
        assertThat(IstioRouting.route(written, request(Map.of("x-group", "beta-8")))).isEqualTo(1);
        assertThat(IstioRouting.route(written, request(Map.of("x-group", "carol")))).isEqualTo(2);
    }

    @Test
    void aRegexRouteIsNarrowedToAnExactValueItMatchesAndARegexItCannotBeIntersectedWithIsRefused() {
        String namespace = routedBy("""
                - name: testers
                  match: [ { headers: { end-user: { regex: "(jason|bob)" } } } ]
                  route: [ { destination: { host: reviews, subset: v2 } } ]
                - route: [ { destination: { host: reviews, subset: v1 } } ]
                """);
        FaultPlan jason = injector.plan(request("jason", namespace, "reviews", "v2", match("headers: { end-user: { exact: jason } }"), DELAY, null));
        assertThat(jason.after().path("spec").path("http").get(0).path("match"))
                .isEqualTo(IstioFixtures.yaml("[ { headers: { end-user: { exact: jason } } } ]"));
        CrdSchema.istio().assertValid(jason.after());
        assertThatThrownBy(() -> injector.plan(request("j", namespace, "reviews", "v2", match("headers: { end-user: { prefix: j } }"), DELAY, null)))
                .isInstanceOf(MeshException.class).satisfies(e -> assertThat(((MeshException) e).reason()).isEqualTo(MeshException.Reason.REFUSED))
                .hasMessageContaining("will not guess").hasMessageContaining("regex \"(jason|bob)\"").hasMessageContaining("prefix \"j\"");
        assertThatThrownBy(() -> injector.plan(request("alice", namespace, "reviews", "v2", match("headers: { end-user: { exact: alice } }"), DELAY, null)))
                .hasMessageStartingWith("the requests of spec.target.match are never served");
    }

    @Test
    void uriAndMethodRoutesKeepTheirOwnConditionsAndTakeTheTargetsNarrowerOnes() {
        String namespace = routedBy("""
                - name: api
                  match:
                    - uri: { prefix: /api }
                      method: { regex: "GET|HEAD" }
                      withoutHeaders: { x-canary: {} }
                    - uri: { exact: /health }
                  route: [ { destination: { host: reviews, subset: v2 } } ]
                  timeout: 3s
                - route: [ { destination: { host: reviews, subset: v1 } } ]
                """);
        FaultPlan plan = injector.plan(request("api", namespace, "reviews", "v2",
                match("{ uri: { exact: /api/v1/items }, method: { exact: GET }, queryParams: { page: { exact: '2' } } }"), DELAY, null));
        CrdSchema.istio().assertValid(plan.after());
        JsonNode faultRoute = plan.after().path("spec").path("http").get(0);
        // the /health block has no request in common with /api/v1/items and drops out; the other keeps its exclusion
        assertThat(faultRoute.path("match")).isEqualTo(IstioFixtures.yaml("""
                - uri: { exact: /api/v1/items }
                  method: { exact: GET }
                  withoutHeaders: { x-canary: {} }
                  queryParams: { page: { exact: '2' } }
                """));
        assertThat(faultRoute.path("timeout").asText()).isEqualTo("3s");
        assertThat(plan.after().path("spec").path("http").get(1)).isEqualTo(vs(namespace, "reviews").path("spec").path("http").get(0));
        assertThatThrownBy(() -> injector.plan(request("post", namespace, "reviews", "v2",
                match("{ uri: { prefix: /api/ }, method: { exact: POST } }"), DELAY, null)))
                .hasMessageStartingWith("the requests of spec.target.match are never served")
                .hasMessageContaining("(regex \"GET|HEAD\") and spec.target.match.method (exact \"POST\")");
    }

    private static IstioRouting.Request request(Map<String, String> headers) {
        return new IstioRouting.Request("GET", "http", "reviews", "/", Map.of(), headers, 9080, Map.of(), "bookinfo");
    }

    private void edit(String namespace, String name, java.util.function.Consumer<ObjectNode> change) {
        ObjectNode vs = (ObjectNode) vs(namespace, name);
        change.accept(vs);
        client().genericKubernetesResources(IstioFixtures.VIRTUAL_SERVICES).inNamespace(namespace)
                .resource(client().getKubernetesSerialization().convertValue(vs, GenericKubernetesResource.class)).update();
    }
}

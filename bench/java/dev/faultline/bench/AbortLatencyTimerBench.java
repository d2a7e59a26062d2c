package dev.faultline.bench;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * The abort benchmark ({@link AbortScenario}) with guardrail checks on the timer
 * ({@code faultline.guardrails.align-to-scrape=false}), run after {@link AbortLatencyBench} (alphabetical order) so
 * that it prints the ratio of the two modes in one run.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = BenchStack.class, restrictToAnnotatedClass = true)
@TestProfile(AbortLatencyTimerBench.Profile.class)
class AbortLatencyTimerBench extends AbortScenario {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return overrides(false);
        }
    }

    @Override
    String mode() {
        return "timer";
    }

    @Override
    int halts() {
        return 0;
    }
}

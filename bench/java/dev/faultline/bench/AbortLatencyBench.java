package dev.faultline.bench;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** The abort benchmark ({@link AbortScenario}) with guardrail checks in step with the scrape, as Faultline runs by default; then the kill switch. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = BenchStack.class, restrictToAnnotatedClass = true)
@TestProfile(AbortLatencyBench.Profile.class)
class AbortLatencyBench extends AbortScenario {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return overrides(true);
        }
    }

    @Override
    String mode() {
        return "aligned";
    }

    @Override
    int halts() {
        return Integer.getInteger("bench.halts", 3);
    }
}

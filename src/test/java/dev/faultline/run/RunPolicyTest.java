package dev.faultline.run;

import static dev.faultline.testing.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.faultline.FieldError;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.experiment.spec.ExperimentSpec;
import dev.faultline.security.Role;
import dev.faultline.testing.Examples;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(RunPolicyTest.Ceilings.class)
class RunPolicyTest {

    public static class Ceilings implements QuarkusTestProfile {
        @Override
        public java.util.Map<String, String> getConfigOverrides() {
            return java.util.Map.of("faultline.policy.allowed-namespaces", "bookinfo, shop",
                    "faultline.policy.max-percentage", "20",
                    "faultline.policy.max-duration", "PT5M");
        }
    }

    @Inject
    TestUsers users;

    private static ExperimentSpec spec(String example) {
        return ExperimentCodec.decode(Examples.yaml(example), dev.faultline.experiment.spec.DocumentFormat.YAML).spec();
    }

    @Test
    void aRunWithinThePolicyHasNoViolations() {
        RunPolicy policy = policy(Optional.of(List.of("bookinfo")), 100, Duration.ofHours(1));
        assertThat(policy.violations(spec("reviews-v2-latency"))).isEmpty();
    }

    @Test
    void anEmptyAllowListDeniesEveryNamespace() {
        RunPolicy policy = policy(Optional.empty(), 100, Duration.ofHours(1));
        assertThat(policy.violations(spec("reviews-v2-latency"))).extracting(FieldError::path).containsExactly("spec.target.namespace");
        assertThat(policy.violations(spec("reviews-v2-latency")).get(0).message()).contains("every run is refused");
    }

    @Test
    void ceilingsNameTheFieldThatExceedsThem() {
        RunPolicy policy = policy(Optional.of(List.of("bookinfo")), 5, Duration.ofSeconds(30));
        List<FieldError> violations = policy.violations(spec("reviews-v2-latency"));
        assertThat(violations).extracting(FieldError::path).containsExactly("spec.faults[0].delay.percentage", "spec.duration");
        assertThat(violations.get(0).message()).contains("max-percentage of 5%");
        assertThat(violations.get(1).message()).contains("max-duration of 30s");
    }

    @Test
    void thePolicyInForceIsReadableByEverySignedInViewer() {
        users.create("val", List.of(), Role.VIEWER);
        as("val", TestUsers.password("val")).get("/api/v1/policy").then().statusCode(200)
                .body("allowedNamespaces", contains("bookinfo", "shop"))
                .body("maxPercentage", equalTo(20.0f))
                .body("maxDuration", equalTo("5m"));
    }

    private static RunPolicy policy(Optional<List<String>> allowed, double maxPercentage, Duration maxDuration) {
        return new RunPolicy(new PolicyConfig() {
            @Override
            public Optional<List<String>> allowedNamespaces() {
                return allowed;
            }

            @Override
            public double maxPercentage() {
                return maxPercentage;
            }

            @Override
            public Duration maxDuration() {
                return maxDuration;
            }
        });
    }
}

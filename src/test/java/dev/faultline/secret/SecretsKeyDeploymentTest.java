package dev.faultline.secret;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The shipped deployment can keep secrets: its replicas share one faultline.secrets.key, given from the Secret
 * that deploy/README.md creates. Without it each pod would make a key of its own, under a read-only root file
 * system where none can be written, and a secret stored through one replica would be unreadable on the other.
 */
class SecretsKeyDeploymentTest {

    @Test
    void everyReplicaTakesTheSameSecretsKeyFromTheSecretTheReadmeCreates() throws IOException {
        JsonNode deployment = new ObjectMapper(new YAMLFactory()).readTree(Path.of("deploy", "deployment.yaml").toFile());
        JsonNode env = deployment.at("/spec/template/spec/containers/0/env");
        JsonNode key = null;
        List<String> keysRead = new ArrayList<>();
        for (JsonNode variable : env) {
            JsonNode ref = variable.at("/valueFrom/secretKeyRef");
            if (!ref.isMissingNode()) {
                keysRead.add(ref.path("key").asText());
            }
            if (variable.path("name").asText().equals("FAULTLINE_SECRETS_KEY")) {
                key = ref;
            }
        }
        assertThat(deployment.at("/spec/replicas").asInt()).isGreaterThan(1);
        assertThat(key).as("FAULTLINE_SECRETS_KEY from a Secret in deploy/deployment.yaml").isNotNull();
        assertThat(key.path("name").asText()).isEqualTo("faultline");

        String readme = Files.readString(Path.of("deploy", "README.md"));
        assertThat(keysRead).as("every key the deployment reads is created by deploy/README.md")
                .allSatisfy(read -> assertThat(readme).contains("--from-literal=" + read + "="));
    }
}

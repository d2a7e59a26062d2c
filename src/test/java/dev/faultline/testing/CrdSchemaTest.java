package dev.faultline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** {@link CrdSchema} accepts what Istio accepts and rejects what Istio rejects (or would silently prune). */
class CrdSchemaTest {

    private static final Path FIXTURES = IstioFixtures.FOLDER;
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final List<String> ISTIO_KINDS = List.of("VirtualService", "DestinationRule");
    private static final String FIXED_DELAY = "spec.http[0].fault.delay.fixedDelay";

    private final CrdSchema schema = CrdSchema.istio();

    @Test
    void acceptsEveryIstioBookinfoSample() throws IOException {
        List<JsonNode> samples = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(FIXTURES, "bookinfo-*.yaml")) {
            for (Path file : files) {
                documents(file).stream()
                        .filter(document -> ISTIO_KINDS.contains(document.path("kind").asText()))
                        .forEach(samples::add);
            }
        }

        assertThat(samples).extracting(sample -> sample.path("kind").asText())
                .containsAll(ISTIO_KINDS)
                .hasSizeGreaterThanOrEqualTo(10);
        for (JsonNode sample : samples) {
            assertThat(schema.validate(sample))
                    .as("%s %s", sample.path("kind").asText(), sample.path("metadata").path("name").asText())
                    .isEmpty();
        }
    }

    @Test
    void rejectsUnknownFieldWithItsPath() {
        ObjectNode virtualService = virtualService();
        firstRoute(virtualService).put("retryPolicy", "always");

        assertThat(schema.validate(virtualService))
                .containsExactly("spec.http[0].retryPolicy: unknown field (the apiserver would silently prune it)");
    }

    @Test
    void rejectsUnknownFieldInsideOneOfObject() {
        assertThat(schema.validate(withFault("{abort: {httpStatus: 503, status: 503}}")))
                .containsExactly("spec.http[0].fault.abort.status: unknown field (the apiserver would silently prune it)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"7s", "1ms", "1.5s", "100ms", "1m30s", "2h", ".5s", "1500us"})
    void acceptsGoDurationsOfAtLeastOneMillisecond(String duration) {
        assertThat(schema.validate(withFault("{delay: {fixedDelay: '" + duration + "', percentage: {value: 10}}}")))
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.5ms", "999us", "0", "-7s"})
    void rejectsDurationsBelowOneMillisecond(String duration) {
        assertThat(schema.validate(withFault("{delay: {fixedDelay: '" + duration + "'}}")))
                .containsExactly(FIXED_DELAY + ": must be a valid duration greater than 1ms");
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "", "7", "7 s", "7sec", "1h30", ".s", "1.5.5s"})
    void rejectsStringsThatAreNotDurations(String duration) {
        assertThat(schema.validate(withFault("{delay: {fixedDelay: '" + duration + "'}}")))
                .containsExactly(FIXED_DELAY + ": must be a valid duration greater than 1ms (invalid duration \""
                        + duration + "\")");
    }

    @Test
    void rejectsAbortWithBothHttpAndGrpcStatus() {
        List<String> errors = schema.validate(withFault("{abort: {httpStatus: 503, grpcStatus: UNAVAILABLE}}"));

        assertThat(errors).singleElement().asString()
                .startsWith("spec.http[0].fault.abort: must match exactly one oneOf branch, but matched 2: ")
                .contains("#1 {\"required\":[\"httpStatus\"]}", "#2 {\"required\":[\"grpcStatus\"]}");
    }

    @Test
    void rejectsHttpStatusGivenAsString() {
        assertThat(schema.validate(withFault("{abort: {httpStatus: '500'}}")))
                .containsExactly("spec.http[0].fault.abort.httpStatus: must be of type integer, got string \"500\"");
    }

    @Test
    void rejectsHttpStatusOutsideInt32() {
        assertThat(schema.validate(withFault("{abort: {httpStatus: 3000000000}}")))
                .containsExactly("spec.http[0].fault.abort.httpStatus: must be a valid int32 in "
                        + "[-2147483648, 2147483647], got 3000000000");
    }

    @Test
    void acceptsIntegerPercentageForNumberField() {
        JsonNode virtualService = withFault("{abort: {httpStatus: 503, percentage: {value: 50}}}");

        assertThat(virtualService.at("/spec/http/0/fault/abort/percentage/value").isInt()).isTrue();
        assertThat(schema.validate(virtualService)).isEmpty();
    }

    @Test
    void rejectsNullForNonNullableField() {
        ObjectNode virtualService = virtualService();
        firstRoute(virtualService).putNull("timeout");

        assertThat(schema.validate(virtualService)).containsExactly("spec.http[0].timeout: must not be null");
    }

    @Test
    void rejectsUnservedVersion() {
        ObjectNode virtualService = virtualService();
        virtualService.put("apiVersion", "networking.istio.io/v9");

        assertThat(schema.validate(virtualService)).containsExactly("apiVersion: virtualservices.networking.istio.io "
                + "does not serve version \"v9\" (served: v1, v1alpha3, v1beta1)");
    }

    @Test
    void acceptsEveryServedVersion() {
        for (String version : List.of("v1", "v1alpha3", "v1beta1")) {
            ObjectNode virtualService = virtualService();
            virtualService.put("apiVersion", "networking.istio.io/" + version);

            assertThat(schema.validate(virtualService)).as(version).isEmpty();
        }
    }

    @Test
    void rejectsUnknownKind() {
        ObjectNode virtualService = virtualService();
        virtualService.put("kind", "Gateway");

        assertThat(schema.validate(virtualService))
                .containsExactly("kind: no CRD defines kind \"Gateway\" in group networking.istio.io");
    }

    @Test
    void rejectsHostsGivenAsString() {
        ObjectNode virtualService = virtualService();
        ((ObjectNode) virtualService.get("spec")).put("hosts", "ratings");

        assertThat(schema.validate(virtualService))
                .containsExactly("spec.hosts: must be of type array, got string \"ratings\"");
    }

    @Test
    void rejectsMetadataWithoutName() {
        ObjectNode virtualService = virtualService();
        ((ObjectNode) virtualService.get("metadata")).remove("name");

        assertThat(schema.validate(virtualService)).containsExactly("metadata.name: must be a non-empty string");
    }

    @Test
    void rejectsMissingMetadata() {
        ObjectNode virtualService = virtualService();
        virtualService.remove("metadata");

        assertThat(schema.validate(virtualService)).containsExactly("metadata: must be an object");
    }

    @Test
    void rejectsMissingRequiredField() {
        JsonNode destinationRule = yaml("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata:
                  name: ratings
                spec:
                  subsets:
                  - labels:
                      version: v1
                """);

        assertThat(schema.validate(destinationRule)).containsExactly(
                "spec.host: required field is missing",
                "spec.subsets[0].name: required field is missing");
    }

    @Test
    void checksWorkloadSelectorLabelRules() {
        JsonNode destinationRule = yaml("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata:
                  name: ratings
                spec:
                  host: ratings
                  workloadSelector:
                    matchLabels:
                      app: "ratings*"
                      "": v1
                      "tier*": backend
                """);

        assertThat(schema.validate(destinationRule)).containsExactly(
                "spec.workloadSelector.matchLabels[app]: wildcard not allowed in label value match",
                "spec.workloadSelector.matchLabels: wildcard not allowed in label key match",
                "spec.workloadSelector.matchLabels: key must not be empty");
    }

    @Test
    void assertValidListsEveryError() {
        ObjectNode virtualService = virtualService();
        firstRoute(virtualService).put("retryPolicy", "always");
        ((ObjectNode) virtualService.get("spec")).put("hosts", "ratings");

        assertThatCode(() -> schema.assertValid(virtualService()))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> schema.assertValid(virtualService))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("VirtualService \"ratings\"")
                .hasMessageContaining("spec.hosts: must be of type array")
                .hasMessageContaining("spec.http[0].retryPolicy: unknown field");
    }

    @Test
    void failsLoudlyOnUnsupportedRule(@TempDir Path directory) throws IOException {
        Path crd = Files.writeString(directory.resolve("crd.yaml"), """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata:
                  name: widgets.example.com
                spec:
                  group: example.com
                  names:
                    kind: Widget
                  versions:
                  - name: v1
                    served: true
                    schema:
                      openAPIV3Schema:
                        type: object
                        properties:
                          spec:
                            type: string
                            x-kubernetes-validations:
                            - rule: self.size() > 3
                """);

        assertThatThrownBy(() -> CrdSchema.load(crd))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("self.size() > 3");
    }

    private static ObjectNode virtualService() {
        return (ObjectNode) yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata:
                  name: ratings
                spec:
                  hosts:
                  - ratings
                  http:
                  - route:
                    - destination:
                        host: ratings
                        subset: v1
                """);
    }

    private static ObjectNode firstRoute(JsonNode virtualService) {
        return (ObjectNode) virtualService.at("/spec/http/0");
    }

    private static JsonNode withFault(String fault) {
        ObjectNode virtualService = virtualService();
        firstRoute(virtualService).set("fault", yaml(fault));
        return virtualService;
    }

    private static JsonNode yaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> values = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (values.hasNextValue()) {
                JsonNode document = values.nextValue();
                if (document != null && !document.isEmpty()) {
                    documents.add(document);
                }
            }
        }
        return documents;
    }
}

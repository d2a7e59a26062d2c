package dev.faultline.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** The manifests in {@code deploy/} grant exactly what the code needs and run Faultline safely. */
class DeployManifestsTest {

    private static final Path DEPLOY = Path.of("deploy");
    /** Manifests applied on their own where their CRD exists (the Prometheus Operator's PrometheusRule), not by {@code kubectl apply -k}. */
    private static final List<String> OPTIONAL = List.of("prometheus-rules.yaml");
    private static List<JsonNode> resources;

    @BeforeAll
    static void load() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        resources = new ArrayList<>();
        List<String> listed = new ArrayList<>();
        yaml.readTree(DEPLOY.resolve("kustomization.yaml").toFile()).path("resources").forEach(file -> listed.add(file.asText()));
        try (Stream<Path> files = Files.list(DEPLOY)) {
            assertThat(files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".yaml") && !name.equals("kustomization.yaml") && !OPTIONAL.contains(name)))
                    .as("every manifest is in kustomization.yaml").containsExactlyInAnyOrderElementsOf(listed);
        }
        for (String file : listed) {
            try (var documents = yaml.readerFor(JsonNode.class).readValues(DEPLOY.resolve(file).toFile())) {
                while (documents.hasNextValue()) {
                    JsonNode document = (JsonNode) documents.nextValue();
                    if (document != null && !document.isNull() && !document.isEmpty()) {
                        resources.add(document);
                    }
                }
            }
        }
    }

    private static List<JsonNode> ofKind(String kind) {
        return resources.stream().filter(resource -> kind.equals(resource.path("kind").asText())).toList();
    }

    private static JsonNode deployment() {
        assertThat(ofKind("Deployment")).hasSize(1);
        return ofKind("Deployment").get(0);
    }

    private static JsonNode container() {
        return deployment().path("spec").path("template").path("spec").path("containers").get(0);
    }

    private static final String MESH_WIDE = "faultline-mesh-wide";

    /** The Roles of the namespaces Faultline may inject into (not the root namespace's read-only one). */
    private static List<JsonNode> chaosRoles() {
        return ofKind("Role").stream().filter(role -> !MESH_WIDE.equals(role.path("metadata").path("name").asText())).toList();
    }

    @Test
    void eachRoleGrantsExactlyWhatTheCodeUses() {
        assertThat(ofKind("Role")).filteredOn(role -> MESH_WIDE.equals(role.path("metadata").path("name").asText()))
                .singleElement().satisfies(role -> {
                    assertThat(role.path("metadata").path("namespace").asText()).isEqualTo("istio-system");
                    assertThat(granted(role)).containsExactlyInAnyOrderElementsOf(ClusterPermissions.ROOT_NAMESPACE);
                });
        assertThat(ofKind("RoleBinding")).anySatisfy(binding -> {
            assertThat(binding.path("metadata").path("namespace").asText()).isEqualTo("istio-system");
            assertThat(binding.path("roleRef").path("name").asText()).isEqualTo(MESH_WIDE);
        });
        Set<ClusterPermissions.Rule> needed = new HashSet<>(ClusterPermissions.PER_NAMESPACE);
        assertThat(chaosRoles()).isNotEmpty();
        for (JsonNode role : chaosRoles()) {
            assertThat(granted(role)).as("rules of Role %s", role.path("metadata").path("namespace").asText())
                    .containsExactlyInAnyOrderElementsOf(needed);
        }
    }

    private static Set<ClusterPermissions.Rule> granted(JsonNode role) {
        Set<ClusterPermissions.Rule> granted = new HashSet<>();
        for (JsonNode rule : role.path("rules")) {
            assertThat(rule.has("resourceNames")).isFalse();
            Set<String> verbs = new HashSet<>();
            rule.path("verbs").forEach(verb -> verbs.add(verb.asText()));
            for (JsonNode group : rule.path("apiGroups")) {
                for (JsonNode resource : rule.path("resources")) {
                    granted.add(new ClusterPermissions.Rule(group.asText(), resource.asText(), verbs));
                }
            }
        }
        return granted;
    }

    @Test
    void onlyVirtualServicesAreEverWritten() {
        assertThat(ClusterPermissions.PER_NAMESPACE).filteredOn(rule -> !rule.resource().equals("virtualservices"))
                .isNotEmpty().allSatisfy(rule -> assertThat(rule.verbs()).as("verbs on %s", rule.resource())
                        .isSubsetOf(ClusterPermissions.READ));
        assertThat(ClusterPermissions.PER_NAMESPACE).extracting(ClusterPermissions.Rule::resource)
                .contains("namespaces", "gateways", "httproutes");
    }

    @Test
    void nothingIsGrantedClusterWide() {
        assertThat(ofKind("ClusterRole")).isEmpty();
        assertThat(ofKind("ClusterRoleBinding")).isEmpty();
    }

    @Test
    void everyAllowedNamespaceHasItsRoleBoundToFaultlinesServiceAccount() {
        JsonNode account = ofKind("ServiceAccount").get(0).path("metadata");
        String allowed = env("FAULTLINE_POLICY_ALLOWED_NAMESPACES").path("value").asText();
        Set<String> allowedNamespaces = new HashSet<>(List.of(allowed.split("\\s*,\\s*")));
        Set<String> roleNamespaces = new HashSet<>();
        chaosRoles().forEach(role -> roleNamespaces.add(role.path("metadata").path("namespace").asText()));
        assertThat(roleNamespaces).isEqualTo(allowedNamespaces);

        for (String namespace : roleNamespaces) {
            String roleName = chaosRoles().stream().filter(role -> namespace.equals(role.path("metadata").path("namespace").asText()))
                    .findFirst().orElseThrow().path("metadata").path("name").asText();
            assertThat(ofKind("RoleBinding")).as("RoleBinding in %s", namespace).anySatisfy(binding -> {
                assertThat(binding.path("metadata").path("namespace").asText()).isEqualTo(namespace);
                assertThat(binding.path("roleRef").path("kind").asText()).isEqualTo("Role");
                assertThat(binding.path("roleRef").path("name").asText()).isEqualTo(roleName);
                JsonNode subject = binding.path("subjects").get(0);
                assertThat(binding.path("subjects")).hasSize(1);
                assertThat(subject.path("kind").asText()).isEqualTo("ServiceAccount");
                assertThat(subject.path("name").asText()).isEqualTo(account.path("name").asText());
                assertThat(subject.path("namespace").asText()).isEqualTo(account.path("namespace").asText());
            });
        }
        assertThat(deployment().path("spec").path("template").path("spec").path("serviceAccountName").asText())
                .isEqualTo(account.path("name").asText());
    }

    @Test
    void twoReplicasProbedOnHealthAsANonRootUser() {
        JsonNode spec = deployment().path("spec");
        assertThat(spec.path("replicas").asInt()).isEqualTo(2);
        JsonNode container = container();
        Set<String> health = Set.of("/q/health/started", "/q/health/ready", "/q/health/live");
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            assertThat(container.path(probe).path("httpGet").path("path").asText()).as(probe).isIn(health);
        }
        assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);
        JsonNode pod = spec.path("template").path("spec");
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
    }

    @Test
    void secretsComeFromASecretNeverFromTheManifest() {
        for (String name : List.of("QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_PASSWORD", "FAULTLINE_ADMIN_PASSWORD")) {
            JsonNode variable = env(name);
            assertThat(variable.has("value")).as(name).isFalse();
            assertThat(variable.path("valueFrom").path("secretKeyRef").path("name").asText()).as(name).isNotEmpty();
        }
        assertThat(ofKind("Secret")).isEmpty();
    }

    /**
     * Behind the ingress that terminates TLS, Faultline takes the scheme (the session cookie's Secure
     * flag), host and client address from the ingress' headers, and from private addresses only, never
     * from anyone on the Internet. ({@code SessionCookieTest} starts Faultline with these settings.)
     */
    @Test
    void theForwardedSchemeHostAndAddressAreTakenFromTheIngressOnly() {
        for (String name : List.of("QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING", "QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED",
                "QUARKUS_HTTP_PROXY_ENABLE_FORWARDED_HOST")) {
            assertThat(env(name).path("value").asText()).as(name).isEqualTo("true");
        }
        List<String> trusted = List.of(env("QUARKUS_HTTP_PROXY_TRUSTED_PROXIES").path("value").asText().split("\\s*,\\s*"));
        assertThat(trusted).isNotEmpty().doesNotContain("0.0.0.0/0", "::/0", "").allSatisfy(proxy -> assertThat(
                proxy.startsWith("10.") || proxy.startsWith("172.16.") || proxy.startsWith("192.168.") || proxy.startsWith("fc00:"))
                .as("%s is a private address range", proxy).isTrue());
    }

    @Test
    void theServiceReachesThePods() {
        JsonNode service = ofKind("Service").get(0).path("spec");
        JsonNode podLabels = deployment().path("spec").path("template").path("metadata").path("labels");
        service.path("selector").fields().forEachRemaining(label ->
                assertThat(podLabels.path(label.getKey()).asText()).isEqualTo(label.getValue().asText()));
        assertThat(service.path("ports").get(0).path("targetPort").asText()).isEqualTo(container().path("ports").get(0).path("name").asText());
    }

    private static JsonNode env(String name) {
        for (JsonNode variable : container().path("env")) {
            if (name.equals(variable.path("name").asText())) {
                return variable;
            }
        }
        throw new AssertionError("the container has no " + name);
    }
}

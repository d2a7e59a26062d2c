package dev.faultline.security;

import static dev.faultline.testing.TestApi.as;
import static dev.faultline.testing.TestApi.asAdmin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.testing.Examples;
import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestSecrets;
import dev.faultline.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;

/** OpenID Connect switched on, verifying the identity provider's signed JWTs with its public key. */
@QuarkusTest
@TestProfile(SingleSignOnTest.IdentityProvider.class)
class SingleSignOnTest {

    private static final String ISSUER = "https://sso.example.test/realms/acme";
    private static final KeyPair PROVIDER_KEYS = rsaKeys();

    public static class IdentityProvider implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.oidc.tenant-enabled", "true",
                    "quarkus.oidc.client-id", "faultline",
                    "quarkus.oidc.public-key", Base64.getEncoder().encodeToString(PROVIDER_KEYS.getPublic().getEncoded()),
                    "quarkus.oidc.token.issuer", ISSUER,
                    "quarkus.oidc.token.principal-claim", "preferred_username",
                    "faultline.policy.allowed-namespaces", "bookinfo");
        }
    }

    @Inject
    TestDatabase database;
    @Inject
    TestUsers users;
    @Inject
    UserService userService;

    @BeforeAll
    static void yaml() {
        TestApi.sendYamlAsText();
    }

    @BeforeEach
    void clean() {
        database.clear();
    }

    private static String jwt(String username, PrivateKey key, long expiresInSeconds) {
        return jwt("id-" + username, username, key, expiresInSeconds);
    }

    private static String jwt(String subject, String username, PrivateKey key, long expiresInSeconds) {
        return TestSecrets.remember(Jwt.issuer(ISSUER).subject(subject).claim("preferred_username", username)
                .expiresIn(expiresInSeconds).jws().sign(key));
    }

    private static RequestSpecification signedInAs(String username) {
        return signedInAs("id-" + username, username);
    }

    /** The identity provider's user {@code subject}, who calls themselves {@code username}. */
    private static RequestSpecification signedInAs(String subject, String username) {
        return given().header("Authorization", "Bearer " + jwt(subject, username, PROVIDER_KEYS.getPrivate(), 300));
    }

    @Test
    void aFirstSignInCreatesAViewerWithoutNamespacesOrPassword() {
        signedInAs("olga").get("/api/v1/me").then().statusCode(200)
                .body("username", equalTo("olga"))
                .body("via", equalTo("oidc"))
                .body("roles", contains("viewer"))
                .body("namespaces", empty());

        asAdmin().get("/api/v1/users/olga").then().statusCode(200).body("createdBy", equalTo("single sign-on"));
        signedInAs("olga").contentType(TestApi.YAML).body(Examples.yaml("reviews-v2-latency"))
                .post("/api/v1/experiments").then().statusCode(403);
        as("olga", "").get("/api/v1/me").then().statusCode(401);
    }

    @Test
    void rolesAndGrantsComeFromFaultlineAndApplyAtTheNextRequest() {
        signedInAs("pia").get("/api/v1/me").then().statusCode(200);
        asAdmin().contentType(ContentType.JSON).body(Map.of("roles", List.of("experimenter"), "namespaces", List.of("bookinfo")))
                .patch("/api/v1/users/pia").then().statusCode(200);

        signedInAs("pia").contentType(TestApi.YAML).body(Examples.yaml("reviews-v2-latency"))
                .post("/api/v1/experiments").then().statusCode(201).body("status.createdBy", equalTo("pia"));

        asAdmin().contentType(ContentType.JSON).body(Map.of("disabled", true)).patch("/api/v1/users/pia").then().statusCode(200);
        signedInAs("pia").get("/api/v1/me").then().statusCode(401);
    }

    @Test
    void anIdentityProviderUserNamedAdminDoesNotBecomeFaultlinesAdmin() {
        signedInAs("admin").get("/api/v1/me").then().statusCode(200)
                .body("username", equalTo("admin-sso"))
                .body("roles", contains("viewer"))
                .body("namespaces", empty());
        signedInAs("admin").get("/api/v1/users").then().statusCode(403);
        signedInAs("admin").contentType(ContentType.JSON).body(Map.of("username", "mallory", "password", TestSecrets.remember("Mallory-Pw-123456"),
                "roles", List.of("admin"))).post("/api/v1/users").then().statusCode(403);

        asAdmin().get("/api/v1/users/admin").then().statusCode(200).body("roles", contains("admin")).body("createdBy", equalTo("faultline"));
        asAdmin().get("/api/v1/users/mallory").then().statusCode(404);
    }

    @Test
    void aNameTakenByALocalAccountGetsADistinctUserWithTheDefaultRoleAndEachSubjectKeepsItsOwn() {
        users.create("rex", List.of("bookinfo"), Role.EXPERIMENTER);

        signedInAs("rex").get("/api/v1/me").then().statusCode(200)
                .body("username", equalTo("rex-sso")).body("roles", contains("viewer")).body("namespaces", empty());
        signedInAs("rex").contentType(TestApi.YAML).body(Examples.yaml("reviews-v2-latency"))
                .post("/api/v1/experiments").then().statusCode(403);
        signedInAs("another-rex", "rex").get("/api/v1/me").then().statusCode(200).body("username", equalTo("rex-sso2"));
        signedInAs("rex").get("/api/v1/me").then().statusCode(200).body("username", equalTo("rex-sso"));

        as("rex", TestUsers.password("rex")).get("/api/v1/me").then().statusCode(200)
                .body("roles", org.hamcrest.Matchers.hasItem("experimenter")).body("namespaces", contains("bookinfo"));
        asAdmin().get("/api/v1/users/rex").then().body("createdBy", equalTo("test"));
    }

    @Test
    void aSubjectStaysTheSameUserWhateverNameTheProviderGivesLater() {
        signedInAs("id-pia", "pia").get("/api/v1/me").then().statusCode(200).body("username", equalTo("pia"));
        asAdmin().contentType(ContentType.JSON).body(Map.of("roles", List.of("experimenter"))).patch("/api/v1/users/pia")
                .then().statusCode(200);

        signedInAs("id-pia", "pia.renamed").get("/api/v1/me").then().statusCode(200)
                .body("username", equalTo("pia")).body("roles", org.hamcrest.Matchers.hasItem("experimenter"));
        asAdmin().get("/api/v1/users/pia.renamed").then().statusCode(404);
    }

    @Test
    void usersSingleSignOnCreatedBeforeLinkingKeepTheirAccountAtTheirNextSignIn() {
        userService.create("leo", null, java.util.Set.of(Role.EXPERIMENTER), List.of("bookinfo"), "single sign-on");

        signedInAs("id-leo", "leo").get("/api/v1/me").then().statusCode(200)
                .body("username", equalTo("leo")).body("roles", org.hamcrest.Matchers.hasItem("experimenter"));
        signedInAs("someone-else", "leo").get("/api/v1/me").then().statusCode(200)
                .body("username", equalTo("leo-sso")).body("roles", contains("viewer"));
        signedInAs("id-leo", "leo").get("/api/v1/me").then().statusCode(200).body("username", equalTo("leo"));
    }

    @Test
    void aTokenWithoutASubjectIsRefused() {
        String anonymous = TestSecrets.remember(Jwt.issuer(ISSUER).claim("preferred_username", "nobody").expiresIn(300).jws()
                .sign(PROVIDER_KEYS.getPrivate()));
        given().header("Authorization", "Bearer " + anonymous).get("/api/v1/me").then().statusCode(401);
        asAdmin().get("/api/v1/users/nobody").then().statusCode(404);
    }

    @Test
    void tokensFromAnotherSignerOrPastTheirExpiryAreRefused() {
        given().header("Authorization", "Bearer " + jwt("quinn", rsaKeys().getPrivate(), 300)).get("/api/v1/me").then().statusCode(401);
        given().header("Authorization", "Bearer " + jwt("quinn", PROVIDER_KEYS.getPrivate(), -600)).get("/api/v1/me").then().statusCode(401);
        given().header("Authorization", "Bearer not.a.jwt").get("/api/v1/me").then().statusCode(401);
        asAdmin().get("/api/v1/users/quinn").then().statusCode(404);
    }

    @Test
    void passwordsAndApiTokensKeepWorkingBesideSingleSignOn() {
        users.create("rex", List.of(), Role.VIEWER);
        String token = TestSecrets.remember(as("rex", TestUsers.password("rex")).contentType(ContentType.JSON)
                .body(Map.of("name", "ci", "expiresIn", "1d")).post("/api/v1/tokens")
                .then().statusCode(201).body("token", startsWith("flt_")).extract().path("token"));

        given().header("Authorization", "Bearer " + token).get("/api/v1/me").then().statusCode(200).body("via", equalTo("token"));
        as("rex", TestUsers.password("rex")).get("/api/v1/me").then().statusCode(200).body("via", equalTo("password"));
    }

    private static KeyPair rsaKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

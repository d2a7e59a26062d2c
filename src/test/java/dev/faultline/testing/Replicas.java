package dev.faultline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * Packaged Faultline instances on one PostgreSQL database and one mock cluster (Bookinfo), as the
 * replicas of a Deployment run: each test gets a database of its own on a shared server.
 */
public final class Replicas implements AutoCloseable {

    private static int databases;

    private final StandaloneBookinfo mesh;
    private final String jdbcUrl;
    private final Path dir;
    private final String password;

    private Replicas(StandaloneBookinfo mesh, String jdbcUrl, Path dir, String password) {
        this.mesh = mesh;
        this.jdbcUrl = jdbcUrl;
        this.dir = dir;
        this.password = password;
    }

    /** A fresh database on {@code database} and a fresh mock cluster; the instances' files and logs under {@code dir}. */
    public static synchronized Replicas on(StoppableDatabase database, Path dir, String adminPassword) {
        try {
            return new Replicas(StandaloneBookinfo.start(), database.create("replicas" + (++databases)), dir, adminPassword);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public StandaloneBookinfo mesh() {
        return mesh;
    }

    /** Starts instance {@code instance} (settle time 0.1 s, namespace bookinfo allowed), with {@code extra} configuration on top. */
    public PackagedServer start(String instance, Map<String, String> extra) {
        Map<String, String> config = new HashMap<>(Map.of(
                "quarkus.datasource.jdbc.url", jdbcUrl,
                "quarkus.datasource.username", "postgres",
                "faultline.data-dir", dir.resolve(instance).toString(),
                "faultline.admin.password", password,
                "faultline.instance-id", instance,
                "faultline.policy.allowed-namespaces", "bookinfo",
                "faultline.run.settle-time", "PT0.1S"));
        config.putAll(mesh.serverConfig());
        config.putAll(extra);
        return PackagedServer.start(config, dir.resolve(instance + ".log"));
    }

    public PackagedServer start(String instance) {
        return start(instance, Map.of());
    }

    public RequestSpecification admin(PackagedServer server) {
        return TestApi.as("admin", password).baseUri(server.baseUri().toString());
    }

    /**
     * Stores an experiment that aborts half the calls to Bookinfo's reviews for {@code duration},
     * guarded by a check that always holds; {@code more} is added to its spec as YAML lines.
     */
    public void experiment(PackagedServer server, String name, String duration, String more) {
        String yaml = TestExperiments.aborting("reviews").named(name).lasting(duration).answering(mesh.healthyPort()).with(more).yaml();
        admin(server).contentType(TestApi.YAML).body(yaml).put("/api/v1/experiments/" + name).then().statusCode(201);
    }

    /** Starts a run of the experiment on {@code server}; its id. */
    public String run(PackagedServer server, String experiment) {
        return admin(server).contentType(ContentType.JSON).body("{}").post("/api/v1/experiments/" + experiment + "/runs").then()
                .statusCode(202).extract().path("id");
    }

    /** Whether a route of this run is in Bookinfo's reviews VirtualService. */
    public boolean ruleLive(String runId) {
        return mesh.reviews().path("spec").path("http").toString().contains("faultline-" + runId);
    }

    /** Whether reviews is exactly as seeded. */
    public boolean reviewsAsSeeded() {
        return mesh.reviews().path("spec").equals(mesh.originalReviews().path("spec"));
    }

    @Override
    public void close() {
        mesh.close();
    }
}

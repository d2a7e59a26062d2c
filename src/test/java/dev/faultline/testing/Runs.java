package dev.faultline.testing;

import static dev.faultline.testing.TestApi.asAdmin;

import java.time.Duration;
import java.util.function.Supplier;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/** Waiting for runs as a user would: reading {@code /api/v1/runs/{id}} until it shows what is awaited. */
public final class Runs {

    private Runs() {
    }

    /** Waits up to 30 s for run {@code id}, read as the admin of the test server, to be in {@code state}. */
    public static void awaitState(String id, String state) {
        awaitState(TestApi::asAdmin, id, state);
    }

    /** Waits up to 30 s for run {@code id}, read through {@code api} (signed in to its server), to be in {@code state}. */
    public static void awaitState(Supplier<RequestSpecification> api, String id, String state) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String current = null;
        while (System.nanoTime() < deadline) {
            current = api.get().get("/api/v1/runs/" + id).then().extract().path("state");
            if (state.equals(current)) {
                return;
            }
            pause();
        }
        throw new AssertionError("run " + id + " did not reach " + state + "; it is " + current);
    }

    /** Waits up to 60 s for run {@code id} to end; the run as it ended. */
    public static JsonPath awaitEnd(String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonPath run = null;
        while (System.nanoTime() < deadline) {
            run = JsonPath.from(asAdmin().get("/api/v1/runs/" + id).then().statusCode(200).extract().asString());
            if (run.getString("endedAt") != null) {
                return run;
            }
            pause();
        }
        throw new AssertionError("run " + id + " did not end; it is " + (run == null ? null : run.getString("state")));
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a run", e);
        }
    }
}

package dev.faultline.retention;

import static dev.faultline.testing.TestApi.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.testing.TestApi;
import dev.faultline.testing.TestDatabase;
import dev.faultline.testing.TestExperiments;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Retention as an operator sees it through the API after a pass (defaults: samples and deliveries 30 days,
 * timelines 90, audit 400), and the audit log's guard as someone with SQL access meets it.
 */
@QuarkusTest
class RetentionTest {

    @Inject
    TestDatabase database;
    @Inject
    Retention retention;
    @Inject
    EntityManager entities;

    @BeforeEach
    void clean() {
        TestApi.sendYamlAsText();
        database.clear();
        asAdmin().contentType(TestApi.YAML).body(TestExperiments.aborting("reviews").named("kept").lasting("1m").yaml())
                .post("/api/v1/experiments").then().statusCode(201);
    }

    @Test
    void endedRunsLoseWhatIsOlderThanItsRetentionAndSaySoWhileRecentAndLiveRunsKeepEverything() {
        String ancient = endedDaysAgo(100);
        String old = endedDaysAgo(40);
        String recent = endedDaysAgo(1);
        String live = endedDaysAgo(200);
        // started 200 days ago and still live (a long soak): what it wrote is as old as any, and it keeps all of it
        database.execute("update run set ended_at = null, state = 'OBSERVING', owner = 'elsewhere', heartbeat_at = now() + interval '1 hour', "
                + "created_at = now() - interval '200 days', started_at = now() - interval '200 days' where id = '" + live + "'");

        Retention.Removed removed = retention.pass();

        assertThat(removed.samples()).isEqualTo(6); // three for each of the two runs that ended over 30 days ago
        assertThat(removed.deliveries()).isEqualTo(4);
        asAdmin().get("/api/v1/runs/" + ancient + "/samples").then().statusCode(200).body("$", hasSize(0));
        asAdmin().get("/api/v1/runs/" + ancient).then().statusCode(200).body("timeline", hasSize(0))
                .body("samplesRemovedAt", notNullValue()).body("timelineRemovedAt", notNullValue());
        asAdmin().get("/api/v1/runs/" + ancient + "/notifications").then().statusCode(200).body("$", hasSize(0));

        asAdmin().get("/api/v1/runs/" + old + "/samples").then().statusCode(200).body("$", hasSize(0));
        asAdmin().get("/api/v1/runs/" + old).then().statusCode(200).body("samplesRemovedAt", notNullValue())
                .body("timelineRemovedAt", nullValue()).body("timeline.size()", greaterThan(0));
        asAdmin().get("/api/v1/runs/" + old + "/notifications").then().statusCode(200).body("$", hasSize(0));

        for (String kept : List.of(recent, live)) {
            asAdmin().get("/api/v1/runs/" + kept + "/samples").then().statusCode(200).body("$", hasSize(3));
            asAdmin().get("/api/v1/runs/" + kept + "/notifications").then().statusCode(200).body("$", hasSize(2));
            asAdmin().get("/api/v1/runs/" + kept).then().statusCode(200).body("samplesRemovedAt", nullValue())
                    .body("timeline.size()", greaterThan(0));
        }

        assertThat(retention.pass()).isEqualTo(new Retention.Removed(0, 0, 0, 0)); // a second pass finds nothing more
    }

    @Test
    void auditEntriesOlderThanTheRetentionGoAndOnlyThroughTheRetentionJob() {
        // audit entries outlive database.clear() (nothing may truncate them): names of this run's own
        String old = "retention-old-" + Long.toString(System.nanoTime(), 36);
        String recent = "retention-recent-" + Long.toString(System.nanoTime(), 36);
        database.execute("insert into audit_entry (at, actor, method, path, status, outcome, operation) values "
                + "(now() - interval '500 days', '" + old + "', 'PUT', '/api/v1/experiments/x', 200, 'SUCCEEDED', 'experiment.update'), "
                + "(now() - interval '300 days', '" + recent + "', 'PUT', '/api/v1/experiments/x', 200, 'SUCCEEDED', 'experiment.update')");

        assertThatThrownBy(() -> database.execute("update audit_entry set actor = 'someone-else' where actor = '" + old + "'"))
                .hasStackTraceContaining("append-only");
        assertThatThrownBy(() -> database.execute("delete from audit_entry where actor = '" + old + "'"))
                .hasStackTraceContaining("append-only");
        assertThatThrownBy(() -> database.execute("truncate audit_entry")).hasStackTraceContaining("append-only");
        // the expiry switch opens the log only for entries older than the retention passed in
        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
            entities.createNativeQuery("select set_config('faultline.audit_expiry', 'on', true), set_config('faultline.audit_keep', '400 days', true)")
                    .getSingleResult();
            entities.createNativeQuery("delete from audit_entry where actor = '" + recent + "'").executeUpdate();
        })).hasStackTraceContaining("younger than the retention");
        assertThat(count(old)).isEqualTo(1);

        assertThat(retention.pass().audit()).isGreaterThanOrEqualTo(1);
        assertThat(count(old)).isZero();
        assertThat(count(recent)).isEqualTo(1);
    }

    private long count(String actor) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) entities.createNativeQuery(
                "select count(*) from audit_entry where actor = :actor").setParameter("actor", actor).getSingleResult()).longValue());
    }

    /** A run (cancelled at once by the test policy) with three samples and two deliveries written and ended {@code days} ago. */
    private String endedDaysAgo(int days) {
        String id = asAdmin().contentType(ContentType.JSON).body("{}").post("/api/v1/experiments/kept/runs?wait=true&timeout=30s").then()
                .statusCode(200).body("state", equalTo("CANCELLED")).extract().path("id");
        for (int i = 0; i < 3; i++) {
            database.execute("insert into run_sample (run_id, check_path, phase, at, value, passed) values ('" + id
                    + "', 'spec.guardrails[0]', 'OBSERVING', now() - interval '" + days + " days', " + i + ", true)");
        }
        for (int i = 1; i <= 2; i++) {
            database.execute("insert into notification_delivery (run_id, channel, event, attempt, at, outcome) values ('" + id
                    + "', 'ops', 'aborted', " + i + ", now() - interval '" + days + " days', 'DELIVERED')");
        }
        database.execute("update run set ended_at = now() - interval '" + days + " days' where id = '" + id + "'");
        return id;
    }
}

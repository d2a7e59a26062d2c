package dev.faultline.run;

import static dev.faultline.testing.StatementCounter.statementsOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.faultline.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;

/**
 * What the run page reads each second while a run is live: only the samples and timeline entries
 * stored since its last read, however many came before (rows counted by PostgreSQL itself); and the
 * timeline as stored once the run has ended, also an entry whose id committed out of order.
 */
@QuarkusTest
class RunFollowerTest {

    private static final int NEW = 5;

    @Inject
    TestDatabase database;
    @Inject
    RunService runs;

    @BeforeEach
    void clean() {
        database.clear();
    }

    @Test
    void aReadAfterFiveNewSamplesReadsExactlyThoseFiveRowsWhetherTwentyOrTwoThousandCameBefore() {
        Map<Integer, Long> rowsRead = new LinkedHashMap<>();
        Map<Integer, Integer> statements = new LinkedHashMap<>();
        for (int before : List.of(20, 2000)) {
            String id = database.liveRun("followed");
            database.storeSamples(id, 1, before);
            RunFollower follower = runs.follow(id);
            assertThat(follower.next().orElseThrow().added()).hasSize(before);

            database.storeSamples(id, before + 1, NEW);
            AtomicReference<RunFollower.Update> second = new AtomicReference<>();
            rowsRead.put(before, database.rowsRead("run_sample", () -> second.set(follower.next().orElseThrow())));
            assertThat(second.get().added()).extracting(Run.Sample::value)
                    .containsExactlyElementsOf(IntStream.rangeClosed(before + 1, before + NEW).mapToObj(v -> (double) v).toList());
            assertThat(database.rowsRead("run_sample", () -> assertThat(follower.next().orElseThrow().added()).isEmpty()))
                    .as("a read with nothing new").isZero();
            statements.put(before, statementsOf(() -> follower.next()));

            // the measure sees a read of everything for what it is
            assertThat(database.rowsRead("run_sample", () -> runs.samples(id))).isEqualTo(before + NEW);
        }
        System.out.println("rows of run_sample read by the run page's poll after " + NEW + " new samples, by samples before: " + rowsRead
                + "; statements per poll: " + statements);
        assertThat(rowsRead).containsOnly(Map.entry(20, (long) NEW), Map.entry(2000, (long) NEW));
        assertThat(statements.get(2000)).isEqualTo(statements.get(20)).isLessThanOrEqualTo(4);
    }

    @Test
    void theTimelineGrowsByItsNewEntriesInTimeOrderAndIsReadWholeOnceTheRunHasEnded() {
        String id = database.liveRun("followed");
        event(id, 1000, 1, "ramp to 10%");
        RunFollower follower = runs.follow(id);
        RunFollower.Update first = follower.next().orElseThrow();
        assertThat(first.timelineChanged()).isTrue();
        assertThat(messages(first)).containsExactly("ramp to 10%");
        assertThat(database.rowsRead("run_event", () -> assertThat(follower.next().orElseThrow().timelineChanged()).isFalse())).isZero();

        event(id, 3000, 3, "ramp to 50%");
        event(id, 2000, 0, "written earlier than the first"); // its time comes first: shown first
        RunFollower.Update grown = follower.next().orElseThrow();
        assertThat(grown.timelineChanged()).isTrue();
        assertThat(messages(grown)).containsExactly("written earlier than the first", "ramp to 10%", "ramp to 50%");

        // an entry whose transaction took its id before the last one seen, and committed after it was read
        event(id, 2500, 2, "committed late");
        assertThat(messages(follower.next().orElseThrow())).doesNotContain("committed late");
        database.execute("update run set state = 'ABORTED', reason = 'test over', ended_at = now() where id = '" + id + "'");
        RunFollower.Update ended = follower.next().orElseThrow();
        assertThat(ended.run().state()).isEqualTo(RunState.ABORTED);
        assertThat(ended.timelineChanged()).isTrue();
        assertThat(messages(ended)).containsExactly("written earlier than the first", "ramp to 10%", "committed late", "ramp to 50%");
    }

    @Test
    void aFollowerOfNoRunReadsNothing() {
        assertThat(runs.follow("nosuchrun").next()).isEmpty();
    }

    /** A timeline entry with id {@code id}, {@code seconds} after the run was created. */
    private void event(String runId, long id, int seconds, String message) {
        database.execute("insert into run_event (id, run_id, at, type, message) overriding system value select " + id + ", id, created_at + interval '"
                + seconds + " second', 'RAMP', '" + message + "' from run where id = '" + runId + "'");
    }

    private static List<String> messages(RunFollower.Update update) {
        return update.run().timeline().stream().map(Run.TimelineEntry::message).toList();
    }
}

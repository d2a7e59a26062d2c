package dev.faultline.run;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One page's view of one run as it goes on (the run page polls it every second): each {@link #next()}
 * reads the run's row and rules, and only the timeline entries and samples stored since the previous
 * call (keyset reads on their ids): the timeline it keeps whole, the samples it hands over for the page to
 * append. What a call reads grows with what is new, not with how long the run has been going.
 * <p>
 * Timeline entries are written by several transactions (the run's owner, the kill switch, another
 * instance removing a rule), whose ids can commit out of order; so the call that first sees the run
 * ended reads its whole timeline once more (tens of rows) and the page ends with the timeline as stored.
 * Samples have one writer per run (the owner's {@link SampleRecorder}, one transaction at a time), and a
 * run stores all of them before it ends. Not thread-safe: one page, one follower.
 */
public final class RunFollower {

    private static final Comparator<StoredEvent> TIME_ORDER = Comparator.<StoredEvent, java.time.Instant> comparing(event -> event.at)
            .thenComparing(event -> event.id);

    private final RunStore store;
    private final String runId;
    private final List<StoredEvent> events = new ArrayList<>();
    private long lastEvent;
    private long lastSample;
    private JsonNode document;
    private boolean first = true;
    private boolean ended;

    RunFollower(RunStore store, String runId) {
        this.store = store;
        this.runId = runId;
    }

    /** What is new since the previous call (everything at the first); empty when there is no such run. */
    public Optional<Update> next() {
        Optional<RunStore.Followed> read = store.follow(runId, lastEvent, lastSample);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        RunStore.Followed followed = read.get();
        boolean timelineChanged = first || !followed.events().isEmpty();
        events.addAll(followed.events());
        if (followed.run().state.isTerminal() && !ended) {
            ended = true;
            if (!first) {
                List<StoredEvent> stored = store.follow(runId, 0, Long.MAX_VALUE).map(RunStore.Followed::events).orElse(List.of());
                timelineChanged |= !ids(stored).equals(ids(events));
                events.clear();
                events.addAll(stored);
            }
        }
        events.forEach(event -> lastEvent = Math.max(lastEvent, event.id));
        events.sort(TIME_ORDER);
        List<Run.Sample> added = followed.samples().stream().map(RunStore::toSample).toList();
        if (!followed.samples().isEmpty()) {
            lastSample = followed.samples().getLast().id;
        }
        if (document == null) {
            document = RunStore.document(followed.run());
        }
        first = false;
        return Optional.of(new Update(RunStore.toRun(followed.run(), followed.rules(), events, document), added, timelineChanged));
    }

    private static Set<Long> ids(List<StoredEvent> events) {
        return events.stream().map(event -> event.id).collect(Collectors.toSet());
    }

    /**
     * The run as it is now, its whole timeline in time order; the samples stored since the previous call (oldest first:
     * the caller appends them to those it has); whether the timeline differs from the previous call's.
     */
    public record Update(Run run, List<Run.Sample> added, boolean timelineChanged) {
    }
}

package dev.faultline.experiment;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import dev.faultline.experiment.spec.Experiment;

/**
 * Experiments as read from stored documents, kept by the document's text: listing experiments read
 * and validated every document on every request, which was most of what a list cost. The text is the
 * key, so a changed document is read afresh whatever its name or revision, and an entry can never be
 * out of date; {@link Experiment} and all it holds are immutable, so one instance serves every
 * request. Bounded (least recently used goes first) at {@link #MAX_ENTRIES}, a few default pages of
 * documents of a few kilobytes each.
 */
final class DecodedDocuments {

    static final int MAX_ENTRIES = 512;

    private final Map<String, Experiment> decoded = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Experiment> eldest) {
            return size() > MAX_ENTRIES;
        }
    };
    private final Function<String, Experiment> decode;

    DecodedDocuments(Function<String, Experiment> decode) {
        this.decode = decode;
    }

    /** The experiment {@code document} holds, decoded once for as long as it stays among the recently used. */
    Experiment get(String document) {
        synchronized (decoded) {
            Experiment found = decoded.get(document);
            if (found != null) {
                return found;
            }
        }
        Experiment experiment = decode.apply(document); // outside the lock: two threads may decode the same text once each
        synchronized (decoded) {
            decoded.put(document, experiment);
        }
        return experiment;
    }

    int size() {
        synchronized (decoded) {
            return decoded.size();
        }
    }
}

package dev.faultline.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.Experiment;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.testing.TestExperiments;

/** Stored documents are decoded once per text, a changed text afresh, and the table stays bounded. */
class DecodedDocumentsTest {

    private final List<String> decodedTexts = new ArrayList<>();
    private final DecodedDocuments documents = new DecodedDocuments(text -> {
        decodedTexts.add(text);
        return ExperimentCodec.decode(text, DocumentFormat.JSON);
    });

    @Test
    void theSameTextIsDecodedOnceAndAChangedTextAfresh() {
        String first = json("decoded-once", "reviews");
        Experiment read = documents.get(first);
        assertThat(documents.get(new String(first.toCharArray()))).as("an equal text read again").isSameAs(read);
        assertThat(decodedTexts).hasSize(1);

        String changed = json("decoded-once", "ratings");
        Experiment reread = documents.get(changed);
        assertThat(reread.spec().target().serviceName()).isEqualTo("ratings");
        assertThat(read.spec().target().serviceName()).isEqualTo("reviews");
        assertThat(decodedTexts).hasSize(2);
    }

    @Test
    void keepsAtMostItsBoundDroppingTheLeastRecentlyUsed() {
        String kept = json("kept", "reviews");
        documents.get(kept);
        for (int i = 0; i < DecodedDocuments.MAX_ENTRIES + 10; i++) {
            documents.get(json("filler-" + i, "reviews"));
            documents.get(kept); // used all along, so never the eldest
        }
        assertThat(documents.size()).isEqualTo(DecodedDocuments.MAX_ENTRIES);
        int before = decodedTexts.size();
        documents.get(kept);
        assertThat(decodedTexts).as("the text used all along is still there").hasSize(before);
        documents.get(json("filler-0", "reviews"));
        assertThat(decodedTexts).as("the least recently used was dropped and is decoded again").hasSize(before + 1);
    }

    private static String json(String name, String service) {
        return ExperimentCodec.encode(ExperimentCodec.decode(TestExperiments.aborting(service).named(name).yaml(), DocumentFormat.YAML),
                DocumentFormat.JSON);
    }
}

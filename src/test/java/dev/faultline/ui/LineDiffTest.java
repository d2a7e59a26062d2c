package dev.faultline.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.faultline.ui.LineDiff.Kind;
import dev.faultline.ui.LineDiff.Line;

class LineDiffTest {

    @Test
    void aChangedLineIsRemovedThenAddedAndTheRestKept() {
        List<Line> diff = LineDiff.of("name: a\npercentage: 10\nduration: 5m", "name: a\npercentage: 20\nduration: 5m\nteam: x");
        assertEquals(List.of(new Line(Kind.KEPT, "name: a"), new Line(Kind.REMOVED, "percentage: 10"), new Line(Kind.ADDED, "percentage: 20"),
                new Line(Kind.KEPT, "duration: 5m"), new Line(Kind.ADDED, "team: x")), diff);
    }

    @Test
    void fromNothingEveryLineIsAdded() {
        assertEquals(List.of(new Line(Kind.ADDED, "a"), new Line(Kind.ADDED, "b")), LineDiff.of("", "a\nb"));
        assertEquals(List.of(new Line(Kind.REMOVED, "a")), LineDiff.of("a", ""));
    }
}

package dev.faultline.experiment.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.faultline.experiment.spec.Tolerance.Bound;
import dev.faultline.experiment.spec.Tolerance.Comparison;

class ToleranceTest {

    @Test
    void comparesAtTheEdges() {
        assertFalse(new Bound(Comparison.BELOW, 0.05).accepts(0.05));
        assertTrue(new Bound(Comparison.AT_MOST, 0.05).accepts(0.05));
        assertFalse(new Bound(Comparison.ABOVE, 0).accepts(0));
        assertTrue(new Bound(Comparison.AT_LEAST, 0).accepts(0));
        assertTrue(new Bound(Comparison.EQUALS, 3).accepts(3));
        assertTrue(new Tolerance.Between(1, 2).accepts(1) && new Tolerance.Between(1, 2).accepts(2));
        assertFalse(new Tolerance.Between(1, 2).accepts(2.0001));
    }

    @Test
    void missingDataNeverPasses() {
        for (Comparison comparison : Comparison.values()) {
            assertFalse(new Bound(comparison, 1).accepts(Double.NaN), comparison.name());
        }
        assertFalse(new Tolerance.Between(0, 1).accepts(Double.NaN));
    }

    @Test
    void describesItselfAsWritten() {
        assertEquals("at most 500", new Bound(Comparison.AT_MOST, 500).describe());
        assertEquals("below 0.05", Tolerance.below(0.05).describe());
        assertEquals("between 0.5 and 2", new Tolerance.Between(0.5, 2).describe());
    }
}

package dev.faultline;

import dev.faultline.Durations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({ "500ms,PT0.5S", "2s,PT2S", "1m30s,PT1M30S", "1.5h,PT1H30M", "PT30S,PT30S", "2d,PT48H", "0s,PT0S" })
    void parsesShortAndIsoForms(String text, String iso) {
        assertEquals(Duration.parse(iso), Durations.parse(text).orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = { "5", "5 minutes", "m5", "1x", "", "PT", "-1s" })
    void rejectsWhatIsNotADuration(String text) {
        assertTrue(Durations.parse(text).isEmpty(), text);
    }

    @ParameterizedTest
    @CsvSource({ "PT0.5S,500ms", "PT1M30S,1m30s", "PT2H,2h", "PT1.25S,1s250ms", "PT0S,0s" })
    void formatsInTheShortForm(String iso, String text) {
        assertEquals(text, Durations.format(Duration.parse(iso)));
    }
}

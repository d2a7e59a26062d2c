package dev.faultline.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.faultline.run.PreviewService;

/** What the Run button asks of the user, from the preview of the run. */
class RunConsentTest {

    private static Optional<PreviewService.Preview> preview(List<String> wider, List<String> refusals) {
        return Optional.of(new PreviewService.Preview("reviews-v2", 1, "faultline-preview", List.of(), List.of(), !wider.isEmpty(),
                wider, refusals, List.of(), List.of()));
    }

    @Test
    void aRunTheMeshWouldRefuseIsNotOfferedEvenWhenItWouldAlsoNeedConsent() {
        assertThat(RunConsent.of(preview(List.of("reaches v1 too"), List.of("namespace bookinfo is ambient and has no waypoint"))))
                .isEqualTo(new RunConsent.Refused(List.of("namespace bookinfo is ambient and has no waypoint")));
    }

    @Test
    void aFaultThatReachesMoreThanTheTargetAsksForConsentNamingWhatElse() {
        assertThat(RunConsent.of(preview(List.of("reaches v1 too"), List.of()))).isEqualTo(new RunConsent.Needed(List.of("reaches v1 too")));
    }

    @Test
    void aFaultOnTheTargetAloneOrAPreviewThatCouldNotBeMadeAsksNothing() {
        assertThat(RunConsent.of(preview(List.of(), List.of()))).isEqualTo(new RunConsent.NotNeeded());
        assertThat(RunConsent.of(Optional.empty())).isEqualTo(new RunConsent.NotNeeded());
    }
}

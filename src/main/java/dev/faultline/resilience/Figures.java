package dev.faultline.resilience;

import java.util.Locale;

/** The figures of an impact or a finding as people read them: {@code 6 ms}, {@code 2.01 s}, {@code 49 %}, {@code 0.5 %}. */
public final class Figures {

    private Figures() {
    }

    public static String millis(Double ms) {
        return ms == null ? "–" : ms >= 1000 ? String.format(Locale.ROOT, "%.2f s", ms / 1000) : String.format(Locale.ROOT, "%.0f ms", ms);
    }

    public static String percent(Double share) {
        return share == null ? "–" : String.format(Locale.ROOT, share < 0.1 && share > 0 ? "%.1f %%" : "%.0f %%", share * 100);
    }

    public static String rate(Double perSecond) {
        return perSecond == null ? "–" : String.format(Locale.ROOT, perSecond >= 100 ? "%.0f" : "%.1f", perSecond);
    }
}

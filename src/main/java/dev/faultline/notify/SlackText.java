package dev.faultline.notify;

import java.util.regex.Pattern;

/**
 * Text users write (names, reasons, who started a run) as Slack shows it instead of obeying it.
 * Slack reads {@code &}, {@code <} and {@code >} as its control characters: {@code <!channel>}
 * notifies a whole channel, {@code <https://evil.example|click>} is a link whose address the reader
 * does not see, and a leading {@code >} quotes. Slack documents one escape, the HTML entities
 * {@code &amp;}, {@code &lt;} and {@code &gt;}, and none for {@code *bold*} or {@code _italic_}: so
 * user text also keeps to its place, one line for a name, a quote for a reason, and cannot pass for
 * a line of Faultline's own.
 */
final class SlackText {

    private static final Pattern LINE_BREAK = Pattern.compile("\\R");

    private SlackText() {
    }

    /** {@code text} with Slack's control characters as the entities Slack documents. */
    static String escape(String text) {
        return text == null ? null : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Escaped, on one line: line breaks become spaces. */
    static String inline(String text) {
        return text == null ? null : LINE_BREAK.matcher(escape(text)).replaceAll(" ");
    }

    /** Escaped, as a block quote: every line starts with Slack's quote mark, which the text itself cannot write. */
    static String quoted(String text) {
        return text == null ? null : ">" + LINE_BREAK.matcher(escape(text)).replaceAll("\n>");
    }
}

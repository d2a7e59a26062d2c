package dev.faultline;

import java.text.MessageFormat;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

import org.jboss.logmanager.ExtLogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * Keeps what users write from starting a log line. Names, reasons and other user text reach log
 * messages (and the messages of logged exceptions); a line break in them would start a line that
 * looks like Faultline's own ("2026-12-02 ERROR ..."). Attached to the log handlers in
 * application.properties, so no call site can forget it: it writes CR, LF, tab and every other
 * control character of a message as {@code \n}, {@code \r}, {@code \t} or a Unicode escape (a
 * backslash, {@code u} and four hex digits).
 * Backslashes are left alone, so the escaping is for reading, not for reversing; a record passes
 * through it once per handler, and a second pass finds nothing left to escape.
 */
@LoggingFilter(name = ControlCharacterFilter.NAME)
public final class ControlCharacterFilter implements Filter {

    /** The name application.properties attaches to the handlers ({@code quarkus.log.console.filter}). */
    public static final String NAME = "escape-control-characters";

    @Override
    public boolean isLoggable(LogRecord record) {
        String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : formatted(record);
        if (holdsControlCharacters(message)) {
            if (record instanceof ExtLogRecord ext) {
                ext.setMessage(escape(message), ExtLogRecord.FormatStyle.NO_FORMAT);
            } else {
                record.setMessage(escape(message));
                record.setParameters(null);
            }
        }
        if (record.getThrown() != null && holdsControlCharacters(record.getThrown(), identitySet())) {
            record.setThrown(new EscapedThrowable(record.getThrown(), identitySet()));
        }
        return true;
    }

    /** {@code text} with its control characters escaped. */
    private static String escape(String text) {
        if (!holdsControlCharacters(text)) {
            return text;
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                default -> escaped.append(isControl(c) ? "\\u%04x".formatted((int) c) : String.valueOf(c));
            }
        }
        return escaped.toString();
    }

    private static boolean holdsControlCharacters(String text) {
        return text != null && text.chars().anyMatch(ControlCharacterFilter::isControl);
    }

    /** C0 and C1 controls (with DEL, NEL and ESC), and the Unicode line and paragraph separators. */
    private static boolean isControl(int c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }

    private static String formatted(LogRecord record) {
        Object[] parameters = record.getParameters();
        return parameters == null || parameters.length == 0 ? record.getMessage() : MessageFormat.format(record.getMessage(), parameters);
    }

    private static boolean holdsControlCharacters(Throwable thrown, Set<Throwable> seen) {
        if (thrown == null || !seen.add(thrown)) {
            return false;
        }
        if (holdsControlCharacters(thrown.toString()) || holdsControlCharacters(thrown.getCause(), seen)) {
            return true;
        }
        for (Throwable suppressed : thrown.getSuppressed()) {
            if (holdsControlCharacters(suppressed, seen)) {
                return true;
            }
        }
        return false;
    }

    private static Set<Throwable> identitySet() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }

    /**
     * A logged exception as the log shows it with its message escaped: the formatter prints a
     * throwable's {@code toString()} ("class: message") and then its frames, causes and suppressed
     * ones, so this copy keeps the original's class name, frames, causes and suppressed exceptions
     * and escapes only the words.
     */
    private static final class EscapedThrowable extends Throwable {

        private static final long serialVersionUID = 1L;
        private final String shown;
        private final String message;

        EscapedThrowable(Throwable original, Set<Throwable> seen) {
            super(null, cause(original, seen), true, true);
            this.shown = escape(original.toString());
            this.message = escape(original.getMessage());
            setStackTrace(original.getStackTrace());
            for (Throwable suppressed : original.getSuppressed()) {
                if (seen.add(suppressed)) {
                    addSuppressed(new EscapedThrowable(suppressed, seen));
                }
            }
        }

        /** The original's cause, escaped too; none where the chain comes back to an exception already copied. */
        private static Throwable cause(Throwable original, Set<Throwable> seen) {
            seen.add(original);
            Throwable cause = original.getCause();
            return cause == null || seen.contains(cause) ? null : new EscapedThrowable(cause, seen);
        }

        @Override
        public String getMessage() {
            return message;
        }

        @Override
        public String toString() {
            return shown;
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // the original's frames are set instead
        }
    }
}

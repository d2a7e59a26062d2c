package dev.faultline;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** Faultline's database does not answer (503 at the API); the message says what was done without it. */
public class DatabaseUnavailableException extends RuntimeException implements Failure.Known {

    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether {@code failure} comes from a database that cannot be reached: a connection refused,
     * lost or timed out, or a server shutting down (SQL states of class 08 and 57P), anywhere in its causes.
     */
    public static boolean isCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DatabaseUnavailableException || t instanceof SQLTransientConnectionException
                    || t instanceof org.hibernate.exception.JDBCConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getMessage() != null && sql.getMessage().contains("Acquisition timeout")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Failure failure() {
        return Failure.DATABASE_UNAVAILABLE;
    }
}

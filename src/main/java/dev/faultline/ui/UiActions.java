package dev.faultline.ui;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.vaadin.flow.component.notification.Notification;
import com.vaadin.flow.component.notification.NotificationVariant;

import dev.faultline.Failure;
import dev.faultline.InvalidDocumentException;

/**
 * How the browser tells the user how an action went: what it did on success, the reason on failure
 * (in the same words as the API, by {@link Failure}). The feature services check and audit the
 * action; nothing here does.
 */
@ApplicationScoped
public class UiActions {

    private static final Logger LOG = Logger.getLogger(UiActions.class);

    /**
     * Performs {@code action}, then tells the user how it went: {@code done} on success, the reason on
     * failure. Returns whether it succeeded.
     */
    public boolean attempt(Runnable action, String done) {
        try {
            action.run();
            Notification.show(done, 3000, Notification.Position.TOP_CENTER).addThemeVariants(NotificationVariant.LUMO_SUCCESS);
            return true;
        } catch (RuntimeException e) {
            showFailure(e);
            return false;
        }
    }

    /** Tells the user why an action failed; an unexpected failure is logged, and the user told only that. */
    static void showFailure(RuntimeException e) {
        if (Failure.of(e) == Failure.UNEXPECTED) {
            LOG.error("An action in the browser failed", e);
        }
        Notification note = Notification.show(message(e), 6000, Notification.Position.TOP_CENTER);
        note.addThemeVariants(NotificationVariant.LUMO_ERROR);
        note.setId("action-error");
    }

    /** What to tell the user about a failure; invalid input names its field. */
    static String message(RuntimeException e) {
        if (e instanceof InvalidDocumentException invalid && !invalid.errors().isEmpty()) {
            return invalid.describe(Integer.MAX_VALUE);
        }
        return Failure.of(e) == Failure.UNEXPECTED ? "Something went wrong; the server log has the details" : e.getMessage();
    }
}

package dev.faultline.ui;

import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.vaadin.flow.component.notification.Notification;
import com.vaadin.flow.component.notification.NotificationVariant;
import com.vaadin.flow.server.VaadinRequest;

import dev.faultline.PolicyDeniedException;
import dev.faultline.ResourceConflictException;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.experiment.spec.InvalidDocumentException;
import dev.faultline.mesh.MeshException;
import dev.faultline.security.AuditLog;
import dev.faultline.security.AuditRecord;

/**
 * Every state-changing action taken in the browser goes through here, so that it lands in the
 * audit log just as the same request to the API would: who, the API method and path it stands for,
 * when, from where and how it ended. The log says {@code via: ui}.
 */
@ApplicationScoped
public class UiActions {

    private static final Logger LOG = Logger.getLogger(UiActions.class);

    private final AuditLog audit;
    private final Clock clock;

    UiActions(AuditLog audit, Clock clock) {
        this.audit = audit;
        this.clock = clock;
    }

    /** Performs {@code action} and audits it as {@code method path}; its failure is audited and thrown on. */
    public <T> T audited(CurrentUser user, String method, String path, Supplier<T> action) {
        Instant at = clock.instant();
        VaadinRequest request = VaadinRequest.getCurrent();
        String source = request == null ? null : request.getRemoteAddr();
        try {
            T result = action.get();
            record(new AuditRecord(null, at, user.name(), "ui", method, path, path, 200, AuditRecord.Outcome.SUCCEEDED, source, null));
            return result;
        } catch (RuntimeException e) {
            int status = status(e);
            record(new AuditRecord(null, at, user.name(), "ui", method, path, path, status, AuditRecord.Outcome.ofStatus(status), source,
                    message(e)));
            throw e;
        }
    }

    public void audited(CurrentUser user, String method, String path, Runnable action) {
        audited(user, method, path, () -> {
            action.run();
            return null;
        });
    }

    /**
     * Performs and audits {@code action}, then tells the user how it went: {@code done} on success,
     * the reason on failure. Returns whether it succeeded.
     */
    public boolean attempt(CurrentUser user, String method, String path, Runnable action, String done) {
        try {
            audited(user, method, path, action);
            Notification.show(done, 3000, Notification.Position.TOP_CENTER).addThemeVariants(NotificationVariant.LUMO_SUCCESS);
            return true;
        } catch (RuntimeException e) {
            showFailure(e);
            return false;
        }
    }

    /** Tells the user why an action failed; an unexpected failure is logged, and the user told only that. */
    static void showFailure(RuntimeException e) {
        if (status(e) == 500) {
            LOG.error("An action in the browser failed", e);
        }
        Notification note = Notification.show(message(e), 6000, Notification.Position.TOP_CENTER);
        note.addThemeVariants(NotificationVariant.LUMO_ERROR);
        note.setId("action-error");
    }

    /** What to tell the user about a failure; invalid input names its field. */
    static String message(RuntimeException e) {
        if (e instanceof InvalidDocumentException invalid && !invalid.errors().isEmpty()) {
            return String.join("; ", invalid.errors().stream().map(error -> error.path() + ": " + error.message()).toList());
        }
        return status(e) == 500 ? "Something went wrong; the server log has the details" : e.getMessage();
    }

    private static int status(RuntimeException e) {
        return switch (e) {
            case InvalidDocumentException ignored -> 400;
            case ResourceNotFoundException ignored -> 404;
            case ResourceConflictException ignored -> 409;
            case PolicyDeniedException ignored -> 403;
            case MeshException mesh -> switch (mesh.reason()) {
                case TARGET_UNRESOLVED -> 422;
                case REFUSED -> 409;
                case UNAVAILABLE -> 503;
            };
            default -> 500;
        };
    }

    private void record(AuditRecord record) {
        try {
            audit.record(record);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Could not write the audit entry %s", record);
        }
    }
}

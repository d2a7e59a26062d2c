package dev.faultline.ui;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.page.ExtendedClientDetails;
import com.vaadin.flow.server.VaadinSession;

/**
 * Times in the UI are shown, and typed, in the time zone of the person's browser, not the
 * server's: a game day planned for 10:00 in Berlin starts at 10:00 in Berlin whatever zone
 * Faultline runs in. The browser tells its zone once per page load, asynchronously; the zone is
 * kept in the session, so every view after the sign-in page already knows it. A view rendered
 * before the browser answered, in another zone, is rendered again.
 */
final class BrowserTime {

    private static final String ZONE = BrowserTime.class.getName() + ".zone";
    private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private BrowserTime() {
    }

    /** The browser's zone once it has told it in this session; the server's until then. */
    static ZoneId zone() {
        VaadinSession session = VaadinSession.getCurrent();
        return session != null && session.getAttribute(ZONE) instanceof ZoneId known ? known : ZoneId.systemDefault();
    }

    static String minutes(Instant at) {
        return MINUTES.withZone(zone()).format(at);
    }

    static String seconds(Instant at) {
        return SECONDS.withZone(zone()).format(at);
    }

    /** Time of day to the millisecond, for a run's timeline. */
    static String clock(Instant at) {
        return CLOCK.withZone(zone()).format(at);
    }

    /**
     * Asks the browser for its zone whenever {@code component} is attached (the answer is cached
     * per page load); when it differs from the zone the page was rendered in and
     * {@code renderAgain} is set, the current view is rendered again in the right one.
     */
    static void learnOnAttach(Component component, boolean renderAgain) {
        component.addAttachListener(attached -> {
            UI ui = attached.getUI();
            ZoneId renderedIn = zone();
            ui.getPage().retrieveExtendedClientDetails(details -> browserZone(details).ifPresent(browser -> {
                ui.getSession().setAttribute(ZONE, browser);
                if (renderAgain && !browser.equals(renderedIn)) {
                    ui.refreshCurrentRoute(false);
                }
            }));
        });
    }

    static Optional<ZoneId> browserZone(ExtendedClientDetails details) {
        String id = details.getTimeZoneId();
        if (id != null && !id.isBlank()) {
            try {
                return Optional.of(ZoneId.of(id));
            } catch (DateTimeException unknownToJava) {
                // fall back to the offset the browser reports
            }
        }
        try {
            return Optional.of(ZoneOffset.ofTotalSeconds(details.getTimezoneOffset() / 1000));
        } catch (DateTimeException noOffsetEither) {
            return Optional.empty();
        }
    }
}

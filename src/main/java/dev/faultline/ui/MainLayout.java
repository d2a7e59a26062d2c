package dev.faultline.ui;

import jakarta.annotation.security.PermitAll;

import org.jboss.logging.Logger;

import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.applayout.AppLayout;
import com.vaadin.flow.component.applayout.DrawerToggle;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.confirmdialog.ConfirmDialog;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.notification.Notification;
import com.vaadin.flow.component.notification.NotificationVariant;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.sidenav.SideNav;
import com.vaadin.flow.component.sidenav.SideNavItem;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.Layout;
import com.vaadin.flow.server.VaadinResponse;
import com.vaadin.flow.server.VaadinSession;

import dev.faultline.playground.PlaygroundService;
import dev.faultline.run.HaltService;
import dev.faultline.run.Run;
import dev.faultline.security.BrowserSessions;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The frame of every page: navigation by role, the Halt all button, always visible, with a banner
 * while Faultline is halted, the playground's notice while it runs, and signing out.
 */
@Layout
@PermitAll
public class MainLayout extends AppLayout {

    private static final Logger LOG = Logger.getLogger(MainLayout.class);

    private final HaltService halt;
    private final BrowserSessions sessions;
    private final UiActions actions;
    private final Caller user;
    private final Div banner = new Div();
    private final Div playgroundNotice = new Div();
    private final boolean playground;

    public MainLayout(HaltService halt, BrowserSessions sessions, UiEvents events, UiActions actions, SecurityIdentity identity,
            PlaygroundService playground) {
        this.halt = halt;
        this.playground = playground.enabled();
        playgroundNotice.setId("playground-notice");
        playgroundNotice.addClassName("playground-notice");
        playgroundNotice.getStyle().set("background", "var(--lumo-primary-color-10pct)").set("padding", "var(--lumo-space-xs) var(--lumo-space-m)")
                .set("width", "100%").set("box-sizing", "border-box");
        playgroundNotice.setVisible(this.playground);
        playground.status().ifPresent(status -> playgroundNotice.setText("Playground — simulated Bookinfo mesh, nothing real is touched"
                + (status.prometheusProblem() == null ? "" : ". " + status.prometheusProblem())));
        this.sessions = sessions;
        events.onHaltChanged(this, this::showHalt);
        BrowserTime.learnOnAttach(this, true);
        this.actions = actions;
        this.user = CurrentUser.of(identity);
        Span brand = new Span("Faultline");
        brand.addClassName("faultline-brand");
        Button haltAll = new Button("Halt all", click -> confirmHalt());
        haltAll.addClassName("halt-all");
        haltAll.setId("halt-all");
        haltAll.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_PRIMARY);
        Button signOut = new Button("Sign out " + user.name(), click -> signOut());
        signOut.addThemeVariants(ButtonVariant.LUMO_TERTIARY_INLINE);
        signOut.getStyle().set("color", "white").set("margin-right", "var(--lumo-space-m)");
        addToNavbar(new DrawerToggle(), brand, haltAll, signOut);
        addToDrawer(navigation());
        banner.addClassName("halted-banner");
        banner.setId("halted-banner");
        setContent(null);
    }

    private SideNav navigation() {
        SideNav nav = new SideNav();
        nav.addItem(new SideNavItem("Dashboard", DashboardView.class));
        nav.addItem(new SideNavItem("Experiments", ExperimentsView.class));
        nav.addItem(new SideNavItem("Runs", RunsView.class));
        nav.addItem(new SideNavItem("Schedules", SchedulesView.class));
        nav.addItem(new SideNavItem("Game days", GameDaysView.class));
        if (user.has(Role.VIEWER)) {
            nav.addItem(new SideNavItem("Posture", PostureView.class));
            nav.addItem(new SideNavItem("Report", ReportView.class));
        }
        if (playground) {
            nav.addItem(new SideNavItem("Traffic", PlaygroundView.class));
        }
        nav.addItem(new SideNavItem(user.has(Role.EXPERIMENTER) ? "Settings" : "API tokens", SettingsView.class));
        return nav;
    }

    @Override
    public void setContent(com.vaadin.flow.component.Component content) {
        VerticalLayout frame = new VerticalLayout(playgroundNotice, banner);
        frame.setPadding(false);
        frame.setSpacing(false);
        frame.setSizeFull();
        if (content != null) {
            frame.add(content);
            frame.setFlexGrow(1, content);
        }
        super.setContent(frame);
        showHalt(halt.state());
    }

    private void confirmHalt() {
        TextField reason = new TextField("Reason");
        reason.setId("halt-reason");
        reason.setWidthFull();
        reason.setPlaceholder("what is going on");
        ConfirmDialog dialog = new ConfirmDialog();
        dialog.setHeader("Halt everything?");
        dialog.add(new Span("Every live run is aborted and every Faultline rule removed; no run starts until an approver re-arms."),
                reason);
        dialog.setConfirmText("Halt all");
        dialog.setConfirmButtonTheme("error primary");
        dialog.setCancelable(true);
        dialog.addConfirmListener(confirmed -> {
            HaltService.Result result = halt.halt(user, reason.getValue().isBlank() ? null : reason.getValue());
            Notification note = Notification.show("Halted: " + result.runsAborted() + " runs aborted, " + result.rulesRemoved()
                    + " rules removed" + (result.problems().isEmpty() ? "" : "; problems: " + result.problems()), 8000,
                    Notification.Position.TOP_CENTER);
            note.addThemeVariants(result.problems().isEmpty() ? NotificationVariant.LUMO_SUCCESS : NotificationVariant.LUMO_ERROR);
            showHalt(result.halt());
        });
        dialog.open();
        reason.focus();
    }

    private void showHalt(Run.Halt state) {
        banner.removeAll();
        banner.setVisible(state.halted());
        if (state.halted()) {
            banner.add(new Span("Halted by " + state.changedBy() + (state.reason() == null ? "" : ": " + state.reason())
                    + " — no run starts until an approver re-arms"));
            if (user.has(Role.APPROVER)) {
                Button rearm = new Button("Re-arm", click -> showHalt(halt.rearm(user)));
                rearm.setId("rearm");
                banner.add(rearm);
            }
        }
    }

    /**
     * Signs out for good: the user's session cookies no longer sign in (a copy of this one included,
     * and their other browsers'), then this browser drops its cookie and its UI state. Should the
     * database not answer, the browser is still signed out; the failure is in the log and the audit.
     */
    private void signOut() {
        try {
            sessions.signOut(user);
        } catch (RuntimeException e) {
            LOG.warnf("Could not revoke the sessions of %s (%s); this browser is signed out all the same", user.name(), e.getMessage());
        }
        jakarta.servlet.http.Cookie cookie = new jakarta.servlet.http.Cookie("quarkus-credential", "");
        cookie.setPath("/");
        cookie.setMaxAge(0);
        cookie.setHttpOnly(true);
        VaadinResponse.getCurrent().addCookie(cookie);
        VaadinSession.getCurrent().getSession().invalidate();
        UI.getCurrent().getPage().setLocation("/login");
    }
}

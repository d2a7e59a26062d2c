package dev.faultline.ui;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.vaadin.flow.component.html.H1;
import com.vaadin.flow.component.login.LoginForm;
import com.vaadin.flow.component.login.LoginI18n;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.server.auth.AnonymousAllowed;

import dev.faultline.security.SignInThrottledException;

/**
 * Sign-in: the form posts to Quarkus' form authentication, which sets the session cookie. A failed
 * sign-in comes back with {@code ?error}; one refused for too many failures with {@code ?throttled=N},
 * the seconds to wait ({@link ThrottledSignInRedirect}).
 */
@Route(value = LoginView.ROUTE, autoLayout = false)
@PageTitle("Sign in · Faultline")
@AnonymousAllowed
public class LoginView extends VerticalLayout implements BeforeEnterObserver {

    static final String ROUTE = "login";
    static final String THROTTLED = "throttled";

    private final LoginForm form = new LoginForm();

    public LoginView(dev.faultline.playground.PlaygroundService playground) {
        setSizeFull();
        setAlignItems(Alignment.CENTER);
        setJustifyContentMode(JustifyContentMode.CENTER);
        H1 brand = new H1("Faultline");
        brand.addClassName("faultline-login-brand");
        form.setAction("j_security_check");
        form.setForgotPasswordButtonVisible(false);
        form.setId("login");
        add(brand, form);
        if (playground.enabled()) {
            com.vaadin.flow.component.html.Paragraph notice = new com.vaadin.flow.component.html.Paragraph(
                    "Playground — simulated Bookinfo mesh, nothing real is touched. Sign in as admin with the password "
                            + "Faultline printed in its log at the first start (or faultline.admin.password).");
            notice.setId("playground-notice");
            add(notice);
        }
        BrowserTime.learnOnAttach(this, false);
    }

    /** Where a sign-in refused for {@code seconds} is sent. */
    static String throttledLocation(long seconds) {
        return "/" + ROUTE + "?" + THROTTLED + "=" + seconds;
    }

    @Override
    public void beforeEnter(BeforeEnterEvent event) {
        Map<String, List<String>> parameters = event.getLocation().getQueryParameters().getParameters();
        Optional<Long> wait = parameters.getOrDefault(THROTTLED, List.of()).stream().findFirst().flatMap(LoginView::seconds);
        if (wait.isPresent()) {
            LoginI18n i18n = LoginI18n.createDefault();
            i18n.getErrorMessage().setTitle("Too many failed sign-ins");
            i18n.getErrorMessage().setMessage(SignInThrottledException.message(wait.get()) + ".");
            form.setI18n(i18n);
        }
        form.setError(wait.isPresent() || parameters.containsKey("error"));
    }

    private static Optional<Long> seconds(String value) {
        return value.matches("[0-9]{1,9}") ? Optional.of(Long.parseLong(value)) : Optional.empty();
    }
}

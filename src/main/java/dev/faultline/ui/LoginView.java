package dev.faultline.ui;

import com.vaadin.flow.component.html.H1;
import com.vaadin.flow.component.login.LoginForm;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.server.auth.AnonymousAllowed;

/** Sign-in: the form posts to Quarkus' form authentication, which sets the session cookie. */
@Route(value = "login", autoLayout = false)
@PageTitle("Sign in · Faultline")
@AnonymousAllowed
public class LoginView extends VerticalLayout implements BeforeEnterObserver {

    private final LoginForm form = new LoginForm();

    public LoginView() {
        setSizeFull();
        setAlignItems(Alignment.CENTER);
        setJustifyContentMode(JustifyContentMode.CENTER);
        H1 brand = new H1("Faultline");
        brand.addClassName("faultline-login-brand");
        form.setAction("j_security_check");
        form.setForgotPasswordButtonVisible(false);
        form.setId("login");
        add(brand, form);
        BrowserTime.learnOnAttach(this, false);
    }

    @Override
    public void beforeEnter(BeforeEnterEvent event) {
        form.setError(event.getLocation().getQueryParameters().getParameters().containsKey("error"));
    }
}

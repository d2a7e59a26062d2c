package dev.faultline.ui;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.vaadin.flow.server.ServiceInitEvent;
import com.vaadin.flow.server.auth.NavigationAccessControl;

/**
 * Every view says who may open it ({@code @AnonymousAllowed}, {@code @PermitAll},
 * {@code @RolesAllowed}); one without is closed to all. Signed-out visitors go to the sign-in page.
 */
@ApplicationScoped
class ViewAccessControl {

    void onServiceInit(@Observes ServiceInitEvent event) {
        NavigationAccessControl access = new NavigationAccessControl();
        access.setLoginView(LoginView.class);
        event.getSource().addUIInitListener(init -> init.getUI().addBeforeEnterListener(access));
    }
}

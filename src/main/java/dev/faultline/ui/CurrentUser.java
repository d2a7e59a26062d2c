package dev.faultline.ui;

import com.vaadin.flow.server.VaadinRequest;

import dev.faultline.security.Caller;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who is signed in, as the feature services take them: read from the request that builds a view
 * (the servlet request carries Quarkus' security identity); a view keeps it, since background threads
 * updating the UI have no request.
 */
final class CurrentUser {

    private CurrentUser() {
    }

    static Caller of(SecurityIdentity identity) {
        VaadinRequest request = VaadinRequest.getCurrent();
        return Caller.of(identity, Caller.Via.UI, request == null ? null : request.getRemoteAddr());
    }
}

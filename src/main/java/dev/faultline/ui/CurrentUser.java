package dev.faultline.ui;

import java.util.Set;

import com.vaadin.flow.server.VaadinRequest;

import dev.faultline.security.Role;

/**
 * Who is signed in, read from the request that builds a view (the servlet request carries Quarkus'
 * security identity); a view keeps it, since background threads updating the UI have no request.
 */
public record CurrentUser(String name, Set<Role> roles) {

    public static CurrentUser get() {
        VaadinRequest request = VaadinRequest.getCurrent();
        if (request == null || request.getUserPrincipal() == null) {
            return new CurrentUser("anonymous", Set.of());
        }
        java.util.EnumSet<Role> roles = java.util.EnumSet.noneOf(Role.class);
        for (Role role : Role.values()) {
            if (request.isUserInRole(role.key())) {
                roles.add(role);
            }
        }
        return new CurrentUser(request.getUserPrincipal().getName(), roles);
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }
}

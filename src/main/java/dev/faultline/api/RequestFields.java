package dev.faultline.api;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.faultline.Names;
import dev.faultline.FieldError;
import dev.faultline.security.Role;

/** Reads fields shared by several request bodies, collecting an error with its path for each bad value. */
final class RequestFields {


    private RequestFields() {
    }

    static Set<Role> roles(String field, List<String> keys, List<FieldError> errors) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            Optional<Role> role = Role.of(key);
            role.ifPresent(roles::add);
            if (role.isEmpty()) {
                errors.add(new FieldError(field + "[" + i + "]",
                        "must be viewer, experimenter, approver or admin, found \"" + key + "\""));
            }
        }
        return roles;
    }

    /** Namespace names (DNS labels), or "*" for every namespace the policy allows. */
    static List<String> namespaces(String field, List<String> names, List<FieldError> errors) {
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name == null || !(name.equals("*") || Names.isDnsLabel(name))) {
                errors.add(new FieldError(field + "[" + i + "]",
                        "must be a namespace name (a DNS label) or \"*\", found \"" + name + "\""));
            }
        }
        return names.stream().distinct().sorted().toList();
    }
}

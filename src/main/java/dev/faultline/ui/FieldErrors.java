package dev.faultline.ui;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.html.ListItem;
import com.vaadin.flow.component.html.UnorderedList;

import dev.faultline.FieldError;

/**
 * Puts each validation error of a document on the form field it concerns: the field registered for
 * the longest prefix of the error's path ({@code blackouts} takes {@code blackouts[1].to}); errors
 * no field owns are listed under the form, so none is lost.
 */
final class FieldErrors {

    private final Map<String, HasValidation> fields = new LinkedHashMap<>();
    private final UnorderedList others = new UnorderedList();

    FieldErrors(String id) {
        others.setId(id);
        others.addClassName("form-errors");
    }

    FieldErrors on(String path, HasValidation field) {
        fields.put(path, field);
        return this;
    }

    /** Where the errors no field owns are shown. */
    UnorderedList others() {
        return others;
    }

    void clear() {
        fields.values().forEach(field -> field.setInvalid(false));
        others.removeAll();
    }

    void show(List<FieldError> errors) {
        clear();
        Map<HasValidation, List<String>> byField = new LinkedHashMap<>();
        for (FieldError error : errors) {
            String owner = owner(error.path());
            if (owner == null) {
                others.add(new ListItem(error.path() + ": " + error.message()));
            } else {
                String rest = error.path().substring(owner.length()).replaceFirst("^\\.", "");
                byField.computeIfAbsent(fields.get(owner), f -> new ArrayList<>()).add(rest.isEmpty() ? error.message()
                        : rest + ": " + error.message());
            }
        }
        byField.forEach((field, messages) -> {
            field.setErrorMessage(String.join("; ", messages));
            field.setInvalid(true);
        });
    }

    /** Shows one error on the field registered for {@code path}. */
    void show(String path, String message) {
        show(List.of(new FieldError(path, message)));
    }

    private String owner(String path) {
        String best = null;
        for (String candidate : fields.keySet()) {
            boolean owns = path.equals(candidate) || path.startsWith(candidate + ".") || path.startsWith(candidate + "[");
            if (owns && (best == null || candidate.length() > best.length())) {
                best = candidate;
            }
        }
        return best;
    }
}

package dev.faultline.ui;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.checkbox.CheckboxGroup;
import com.vaadin.flow.component.combobox.MultiSelectComboBox;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.PasswordField;
import com.vaadin.flow.component.textfield.TextField;

import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.ResourceConflictException;
import dev.faultline.run.RunPolicy;
import dev.faultline.security.Caller;
import dev.faultline.security.Passwords;
import dev.faultline.security.Role;
import dev.faultline.security.User;
import dev.faultline.security.UserService;

/**
 * Users for admins: create one (a password generated and shown once when none is given), change
 * roles, namespace grants or password, disable, delete. Faultline refuses to lose its last admin.
 */
class UsersPanel extends VerticalLayout {

    private static final int GENERATED_PASSWORD_LENGTH = 20;

    private final UserService users;
    private final Caller user;
    private final UiActions actions;
    private final Grid<User> grid = new Grid<>();
    private final TextField username = new TextField("User name");
    private final PasswordField password = new PasswordField("Password");
    private final CheckboxGroup<Role> roles = new CheckboxGroup<>("Roles");
    private final MultiSelectComboBox<String> namespaces = new MultiSelectComboBox<>("Namespaces granted");
    private final Checkbox disabled = new Checkbox("Disabled");
    private final FieldErrors errors = new FieldErrors("user-errors");
    private final Button delete = new Button("Delete");
    private User editing;

    UsersPanel(UserService users, RunPolicy policy, Caller user, UiActions actions) {
        this.users = users;
        this.user = user;
        this.actions = actions;
        grid.setId("users");
        grid.addColumn(User::username).setHeader("User").setAutoWidth(true);
        grid.addColumn(u -> TokensPanel.keys(u.roles())).setHeader("Roles").setAutoWidth(true);
        grid.addColumn(u -> String.join(", ", u.namespaces())).setHeader("Namespaces").setAutoWidth(true);
        grid.addColumn(u -> u.disabled() ? "disabled" : "").setHeader("").setAutoWidth(true);
        grid.addThemeVariants(GridVariant.LUMO_COMPACT);
        grid.setAllRowsVisible(true);
        grid.asSingleSelect().addValueChangeListener(change -> edit(change.getValue()));

        username.setId("user-name");
        password.setId("user-password");
        roles.setId("user-roles");
        roles.setItems(Role.values());
        roles.setItemLabelGenerator(Role::key);
        roles.setHelperText("experimenter includes viewer; admin includes all");
        namespaces.setId("user-namespaces");
        List<String> choices = new ArrayList<>(List.of("*"));
        choices.addAll(policy.settings().allowedNamespaces());
        namespaces.setItems(choices);
        namespaces.setItemLabelGenerator(ns -> ns.equals("*") ? "* (every allowed namespace)" : ns);
        disabled.setId("user-disabled");
        errors.on("username", username).on("password", password).on("roles", roles).on("namespaces", namespaces);

        Button save = new Button("Save user", click -> save());
        save.setId("save-user");
        save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        Button fresh = new Button("New user", click -> grid.asSingleSelect().clear());
        delete.setId("delete-user");
        delete.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_TERTIARY);
        delete.addClickListener(click -> {
            if (actions.attempt(() -> users.delete(user, editing.username()),
                    "Deleted " + editing.username() + " and their tokens")) {
                grid.asSingleSelect().clear();
                refresh();
            }
        });
        FormLayout form = new FormLayout(username, password, roles, namespaces, disabled);
        form.setResponsiveSteps(new FormLayout.ResponsiveStep("0", 1), new FormLayout.ResponsiveStep("700px", 2));
        VerticalLayout editor = new VerticalLayout(new H4("User"), form, errors.others(), new HorizontalLayout(save, fresh, delete));
        editor.addClassName("card");
        add(grid, editor);
        setPadding(false);
        refresh();
        edit(null);
    }

    private void refresh() {
        grid.setItems(users.list());
    }

    private void edit(User selected) {
        editing = selected;
        errors.clear();
        username.setValue(selected == null ? "" : selected.username());
        username.setReadOnly(selected != null);
        password.clear();
        password.setHelperText(selected == null ? "leave empty to have one generated" : "leave empty to keep theirs");
        roles.setValue(selected == null ? Set.of(Role.VIEWER) : selected.roles());
        namespaces.setValue(selected == null ? Set.of() : new LinkedHashSet<>(selected.namespaces()));
        disabled.setValue(selected != null && selected.disabled());
        disabled.setVisible(selected != null);
        delete.setVisible(selected != null && !selected.username().equals(user.name()));
    }

    private void save() {
        List<FieldError> problems = new ArrayList<>();
        if (editing == null && !UserService.USERNAME.matcher(username.getValue()).matches()) {
            problems.add(new FieldError("username", UserService.USERNAME_RULE));
        }
        if (!password.getValue().isEmpty()) {
            Passwords.problem(password.getValue()).ifPresent(problem -> problems.add(new FieldError("password", problem)));
        }
        if (roles.getValue().isEmpty()) {
            problems.add(new FieldError("roles", UserService.NO_ROLE));
        }
        errors.show(problems);
        if (!problems.isEmpty()) {
            return;
        }
        Set<Role> chosen = EnumSet.copyOf(roles.getValue());
        List<String> granted = List.copyOf(namespaces.getValue());
        try {
            if (editing == null) {
                String generated = password.getValue().isEmpty() ? Passwords.generate(GENERATED_PASSWORD_LENGTH) : null;
                String name = username.getValue();
                users.create(user, name, generated != null ? generated : password.getValue(), chosen, granted);
                if (generated != null) {
                    ShownOnce.show("Password of " + name, "generated-password", generated);
                }
                refresh();
                users.find(name).ifPresent(grid::select);
            } else {
                String name = editing.username();
                users.update(user, name, Optional.of(chosen), Optional.of(granted), Optional.of(disabled.getValue()),
                        Optional.of(password.getValue()).filter(p -> !p.isEmpty()));
                refresh();
                users.find(name).ifPresent(grid::select);
            }
            com.vaadin.flow.component.notification.Notification.show("Saved", 3000,
                    com.vaadin.flow.component.notification.Notification.Position.TOP_CENTER)
                    .addThemeVariants(com.vaadin.flow.component.notification.NotificationVariant.LUMO_SUCCESS);
        } catch (ResourceConflictException e) {
            errors.show(editing == null ? "username" : "roles", e.getMessage());
        } catch (InvalidDocumentException e) {
            errors.show(e.errors());
        }
    }
}

package dev.faultline.ui;

import java.time.LocalDate;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.checkbox.CheckboxGroup;
import com.vaadin.flow.component.datepicker.DatePicker;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextField;

import dev.faultline.security.ApiToken;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;
import dev.faultline.security.TokenService;
import dev.faultline.security.TokenService.CreatedToken;

/** The signed-in user's API tokens: create one (its secret shown once), see when each was last used, revoke. */
class TokensPanel extends VerticalLayout {

    private final TokenService tokens;
    private final Caller user;
    private final UiActions actions;
    private final Grid<ApiToken> grid = new Grid<>();

    TokensPanel(TokenService tokens, Caller user, UiActions actions) {
        this.tokens = tokens;
        this.user = user;
        this.actions = actions;
        grid.setId("tokens");
        grid.addColumn(ApiToken::name).setHeader("Name").setAutoWidth(true);
        grid.addColumn(token -> keys(token.roles())).setHeader("Roles").setAutoWidth(true);
        grid.addColumn(token -> BrowserTime.minutes(token.expiresAt())).setHeader("Expires").setAutoWidth(true);
        grid.addColumn(token -> token.lastUsedAt() == null ? "never" : BrowserTime.minutes(token.lastUsedAt()) + " from " + token.lastUsedFrom())
                .setHeader("Last used").setAutoWidth(true);
        grid.addComponentColumn(token -> {
            if (token.revokedAt() != null) {
                return new com.vaadin.flow.component.html.Span("revoked " + BrowserTime.minutes(token.revokedAt()));
            }
            Button revoke = new Button("Revoke", click -> {
                actions.attempt(() -> tokens.revoke(user, token.id()), "Revoked " + token.name());
                refresh();
            });
            revoke.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_SMALL);
            return revoke;
        }).setHeader("").setAutoWidth(true);
        grid.addThemeVariants(GridVariant.LUMO_COMPACT);
        grid.setAllRowsVisible(true);
        grid.setEmptyStateText("No token yet.");

        Set<Role> mine = Role.expand(user.roles());
        TextField name = new TextField("Name");
        name.setId("token-name");
        name.setPlaceholder("what uses it: ci-pipeline");
        name.setMaxLength(100);
        CheckboxGroup<Role> roles = new CheckboxGroup<>("Roles");
        roles.setId("token-roles");
        roles.setItems(mine);
        roles.setItemLabelGenerator(Role::key);
        roles.setValue(mine.contains(Role.EXPERIMENTER) ? Set.of(Role.EXPERIMENTER) : Set.of(Role.VIEWER));
        DatePicker expires = new DatePicker("Expires");
        expires.setId("token-expires");
        LocalDate today = LocalDate.now(BrowserTime.zone());
        expires.setMin(today.plusDays(1));
        expires.setMax(today.plusDays(TokenService.MAX_LIFETIME.toDays()));
        expires.setValue(today.plusDays(90));
        Button create = new Button("Create token", click -> {
            boolean valid = true;
            if (name.getValue().isBlank()) {
                name.setErrorMessage("is required: name what uses the token");
                name.setInvalid(true);
                valid = false;
            }
            if (roles.getValue().isEmpty()) {
                roles.setErrorMessage("give the token at least one of your roles");
                roles.setInvalid(true);
                valid = false;
            }
            if (expires.getValue() == null || expires.isInvalid()) {
                expires.setErrorMessage("a date from tomorrow to " + expires.getMax());
                expires.setInvalid(true);
                valid = false;
            }
            if (valid) {
                create(name.getValue().strip(), roles.getValue(), expires.getValue());
                name.clear();
            }
        });
        create.setId("create-token");
        create.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        name.addValueChangeListener(change -> name.setInvalid(false));
        roles.addValueChangeListener(change -> roles.setInvalid(false));
        FormLayout form = new FormLayout(name, roles, expires);
        form.setResponsiveSteps(new FormLayout.ResponsiveStep("0", 1), new FormLayout.ResponsiveStep("700px", 3));
        VerticalLayout creating = new VerticalLayout(new H4("New token"), new Paragraph("A pipeline sends it as Authorization: Bearer "
                + "<token>. It has at most your roles, and only until it expires or you revoke it."), form, create);
        creating.addClassName("card");
        add(grid, creating);
        setPadding(false);
        refresh();
    }

    private void create(String name, Set<Role> roles, LocalDate expires) {
        try {
            CreatedToken created = tokens.create(user, name, EnumSet.copyOf(roles), expires.atStartOfDay(BrowserTime.zone()).toInstant());
            ShownOnce.show("Token " + name, "token-secret", created.secret());
            refresh();
        } catch (RuntimeException e) {
            UiActions.showFailure(e);
        }
    }

    private void refresh() {
        grid.setItems(tokens.list(user, null));
    }

    static String keys(Set<Role> roles) {
        return roles.stream().sorted().map(Role::key).collect(Collectors.joining(", "));
    }
}

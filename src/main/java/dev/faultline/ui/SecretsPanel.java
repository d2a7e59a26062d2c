package dev.faultline.ui;

import java.util.Arrays;
import java.util.List;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.confirmdialog.ConfirmDialog;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.notification.Notification;
import com.vaadin.flow.component.notification.NotificationVariant;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.PasswordField;
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.component.textfield.TextField;

import dev.faultline.InvalidDocumentException;
import dev.faultline.secret.Secret;
import dev.faultline.secret.SecretService;
import dev.faultline.secret.SecretService.SecretRequest;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;

/**
 * The secrets HTTP checks send in headers: names, the hosts each may go to and who stored it, never a value.
 * Experimenters store one (the value typed in a password field, sent once); its creator or an admin replaces or
 * deletes it, after a confirmation. The service checks and audits each action.
 */
class SecretsPanel extends VerticalLayout {

    private final SecretService secrets;
    private final Caller user;
    private final UiActions actions;
    private final Grid<Secret> grid = new Grid<>();
    private final TextField name = new TextField("Name");
    private final PasswordField value = new PasswordField("Value");
    private final TextArea hosts = new TextArea("Hosts");
    private final FieldErrors errors = new FieldErrors("secret-errors");

    SecretsPanel(SecretService secrets, Caller user, UiActions actions) {
        this.secrets = secrets;
        this.user = user;
        this.actions = actions;
        grid.setId("secrets");
        grid.addColumn(Secret::name).setHeader("Name").setAutoWidth(true);
        grid.addColumn(secret -> String.join(", ", secret.hosts())).setHeader("Sent only to").setAutoWidth(true);
        grid.addColumn(secret -> secret.updatedBy() + ", " + BrowserTime.minutes(secret.updatedAt())).setHeader("Stored by")
                .setAutoWidth(true);
        grid.addComponentColumn(secret -> {
            Button delete = new Button("Delete", click -> confirmDelete(secret.name()));
            delete.setId("delete-secret-" + secret.name());
            delete.addThemeVariants(ButtonVariant.LUMO_SMALL, ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_TERTIARY);
            delete.setVisible(mayChange(secret));
            return delete;
        }).setHeader("").setAutoWidth(true).setFlexGrow(0);
        grid.addThemeVariants(GridVariant.LUMO_COMPACT);
        grid.setAllRowsVisible(true);
        grid.setEmptyStateText("No secret yet.");
        add(grid);
        if (user.has(Role.EXPERIMENTER)) {
            grid.asSingleSelect().addValueChangeListener(change -> {
                Secret selected = change.getValue();
                name.setValue(selected == null ? "" : selected.name());
                hosts.setValue(selected == null ? "" : String.join("\n", selected.hosts()));
                value.clear();
            });
            name.setId("secret-name");
            name.setPlaceholder("orders-api-token");
            value.setId("secret-value");
            value.setHelperText("the whole header value, e.g. Bearer …; never shown again, a change sends it again");
            value.setRevealButtonVisible(false);
            hosts.setId("secret-hosts");
            hosts.setPlaceholder("orders.example.com\nratings.bookinfo:9080");
            hosts.setHelperText("one host or host:port per line; the value goes to no other");
            errors.on("name", name).on("value", value).on("hosts", hosts);
            Button save = new Button("Save secret", click -> save());
            save.setId("save-secret");
            save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
            FormLayout form = new FormLayout(name, value, hosts);
            form.setResponsiveSteps(new FormLayout.ResponsiveStep("0", 1), new FormLayout.ResponsiveStep("700px", 3));
            VerticalLayout editor = new VerticalLayout(new H4("Store or replace a secret"),
                    new Paragraph("An HTTP check sends it in a header written as valueFrom: {secret: NAME}."), form, errors.others(), save);
            editor.addClassName("card");
            add(editor);
        }
        setPadding(false);
        refresh();
    }

    private boolean mayChange(Secret secret) {
        return user.has(Role.ADMIN) || user.has(Role.EXPERIMENTER) && secret.createdBy().equals(user.name());
    }

    private void refresh() {
        grid.setItems(secrets.list());
    }

    private void save() {
        String secret = name.getValue().strip();
        List<String> hostList = Arrays.stream(hosts.getValue().split("\\R")).map(String::strip).filter(host -> !host.isEmpty()).toList();
        errors.clear();
        try {
            SecretService.Put put = secrets.put(user, secret, new SecretRequest(value.getValue(), hostList));
            Notification.show((put.created() ? "Stored " : "Replaced ") + secret, 3000, Notification.Position.TOP_CENTER)
                    .addThemeVariants(NotificationVariant.LUMO_SUCCESS);
            value.clear();
            grid.asSingleSelect().clear();
            name.clear();
            hosts.clear();
            refresh();
        } catch (InvalidDocumentException e) {
            errors.show(e.errors());
        } catch (RuntimeException e) {
            UiActions.showFailure(e);
        }
    }

    private void confirmDelete(String secret) {
        ConfirmDialog dialog = new ConfirmDialog();
        dialog.setId("confirm-delete-secret");
        dialog.setHeader("Delete secret " + secret + "?");
        dialog.setText("Checks that send it can no longer run. A secret an experiment still names is not deleted.");
        dialog.setConfirmText("Delete");
        dialog.setConfirmButtonTheme("error primary");
        dialog.setCancelable(true);
        dialog.addConfirmListener(confirmed -> {
            actions.attempt(() -> secrets.delete(user, secret), "Deleted " + secret);
            refresh();
        });
        dialog.open();
    }
}

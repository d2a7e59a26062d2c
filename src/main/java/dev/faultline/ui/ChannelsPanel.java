package dev.faultline.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.notification.Notification;
import com.vaadin.flow.component.notification.NotificationVariant;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.PasswordField;
import com.vaadin.flow.component.textfield.TextField;

import dev.faultline.InvalidDocumentException;
import dev.faultline.ResourceConflictException;
import dev.faultline.notify.ChannelService;
import dev.faultline.notify.ChannelService.ChannelRequest;
import dev.faultline.notify.ChannelView;
import dev.faultline.notify.Delivery;
import dev.faultline.security.Caller;

/**
 * Notification channels for admins: Slack incoming webhooks and signed HTTP webhooks. The URL and
 * the signing secret are secrets: written here, never shown again (only the URL's host is).
 */
class ChannelsPanel extends VerticalLayout {

    private final ChannelService channels;
    private final Grid<ChannelView> grid = new Grid<>();
    private final TextField name = new TextField("Name");
    private final Select<String> kind = new Select<>();
    private final PasswordField url = new PasswordField("Webhook URL");
    private final PasswordField secret = new PasswordField("Signing secret");
    private final FieldErrors errors = new FieldErrors("channel-errors");
    private final Caller user;
    private final UiActions actions;

    ChannelsPanel(ChannelService channels, Caller user, UiActions actions) {
        this.channels = channels;
        this.user = user;
        this.actions = actions;
        grid.setId("channels");
        grid.addColumn(ChannelView::name).setHeader("Name").setAutoWidth(true);
        grid.addColumn(ChannelView::kind).setHeader("Kind").setAutoWidth(true);
        grid.addColumn(ChannelView::host).setHeader("Host").setAutoWidth(true);
        grid.addColumn(c -> c.signed() ? "HMAC-signed" : "").setHeader("").setAutoWidth(true);
        grid.addColumn(ChannelView::source).setHeader("Declared in").setAutoWidth(true);
        grid.addComponentColumn(channel -> {
            HorizontalLayout buttons = new HorizontalLayout();
            Button test = new Button("Send test message", click -> test(channel.name()));
            test.addThemeVariants(ButtonVariant.LUMO_SMALL);
            test.setId("test-" + channel.name());
            buttons.add(test);
            if (!"configuration".equals(channel.source())) {
                Button delete = new Button("Delete", click -> {
                    actions.attempt(() -> channels.delete(user, channel.name()),
                            "Deleted " + channel.name());
                    refresh();
                });
                delete.addThemeVariants(ButtonVariant.LUMO_SMALL, ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_TERTIARY);
                buttons.add(delete);
            }
            return buttons;
        }).setHeader("").setWidth("270px").setFlexGrow(0);
        grid.addThemeVariants(GridVariant.LUMO_COMPACT);
        grid.setAllRowsVisible(true);
        grid.setEmptyStateText("No channel yet.");
        grid.asSingleSelect().addValueChangeListener(change -> {
            ChannelView selected = change.getValue();
            name.setValue(selected == null ? "" : selected.name());
            kind.setValue(selected == null ? "slack" : selected.kind());
            url.clear();
            secret.clear();
        });

        name.setId("channel-name");
        name.setPlaceholder("ops-alerts");
        kind.setId("channel-kind");
        kind.setLabel("Kind");
        kind.setItems("slack", "webhook");
        kind.setValue("slack");
        url.setId("channel-url");
        url.setHelperText("kept secret; on a change, empty keeps the stored one");
        secret.setId("channel-secret");
        secret.setHelperText("webhooks only: signs each body (HMAC-SHA256); 16+ characters");
        kind.addValueChangeListener(change -> secret.setEnabled("webhook".equals(change.getValue())));
        secret.setEnabled(false);
        errors.on("name", name).on("kind", kind).on("url", url).on("secret", secret);
        Button save = new Button("Save channel", click -> save());
        save.setId("save-channel");
        save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        FormLayout form = new FormLayout(name, kind, url, secret);
        form.setResponsiveSteps(new FormLayout.ResponsiveStep("0", 1), new FormLayout.ResponsiveStep("700px", 2));
        VerticalLayout editor = new VerticalLayout(new H4("Create or change a channel"), form, errors.others(), save);
        editor.addClassName("card");
        add(grid, editor);
        setPadding(false);
        refresh();
    }

    private void refresh() {
        grid.setItems(channels.list());
    }

    private void save() {
        String channel = name.getValue().strip();
        boolean exists = channels.view(channel).isPresent();
        ChannelRequest request = new ChannelRequest(kind.getValue(), url.getValue().isEmpty() && exists ? null : url.getValue(),
                secret.getValue().isEmpty() ? (exists && "webhook".equals(kind.getValue()) ? null : "") : secret.getValue());
        errors.clear();
        try {
            channels.put(user, channel, request);
            Notification.show("Saved " + channel, 3000, Notification.Position.TOP_CENTER).addThemeVariants(NotificationVariant.LUMO_SUCCESS);
            url.clear();
            secret.clear();
            refresh();
        } catch (InvalidDocumentException e) {
            errors.show(e.errors());
        } catch (ResourceConflictException e) {
            errors.show("name", e.getMessage());
        }
    }

    private void test(String channel) {
        try {
            Delivery sent = channels.test(user, channel);
            Notification note = Notification.show(channel + ": " + sent.outcome() + (sent.status() == null ? "" : " (HTTP " + sent.status()
                    + ")") + (sent.detail() == null ? "" : ", " + sent.detail()), 6000, Notification.Position.TOP_CENTER);
            note.setId("channel-test-result");
            note.addThemeVariants(sent.outcome() == Delivery.Outcome.DELIVERED ? NotificationVariant.LUMO_SUCCESS
                    : NotificationVariant.LUMO_ERROR);
        } catch (RuntimeException e) {
            UiActions.showFailure(e);
        }
    }
}

package dev.faultline.ui;

import jakarta.annotation.security.RolesAllowed;

import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.tabs.TabSheet;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;

import dev.faultline.notify.ChannelService;
import dev.faultline.run.RunPolicy;
import dev.faultline.secret.SecretService;
import dev.faultline.security.AuditTrail;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;
import dev.faultline.security.TokenService;
import dev.faultline.security.UserService;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Settings: everyone manages their own API tokens here; experimenters the secrets HTTP checks send; admins also
 * users and roles, notification channels, and see the policy in force and the audit log.
 */
@Route("settings")
@PageTitle("Settings · Faultline")
@RolesAllowed(Role.VIEWER_NAME)
public class SettingsView extends VerticalLayout {

    public SettingsView(TokenService tokens, UserService users, ChannelService channels, RunPolicy policy, AuditTrail audit,
            SecretService secrets, SecurityIdentity identity, UiActions actions) {
        Caller user = CurrentUser.of(identity);
        TabSheet tabs = new TabSheet();
        tabs.setId("settings");
        tabs.setWidthFull();
        tabs.add("API tokens", new TokensPanel(tokens, user, actions));
        if (user.has(Role.EXPERIMENTER)) {
            tabs.add("Secrets", new SecretsPanel(secrets, user, actions));
        }
        if (user.has(Role.ADMIN)) {
            tabs.add("Users", new UsersPanel(users, policy, user, actions));
            tabs.add("Channels", new ChannelsPanel(channels, user, actions));
            tabs.add("Policy", new PolicyPanel(policy, users));
            AuditPanel log = new AuditPanel(audit, user);
            var logTab = tabs.add("Audit log", log);
            tabs.addSelectedChangeListener(change -> {
                if (change.getSelectedTab() == logTab) {
                    log.refresh();
                }
            });
        }
        add(new H2(user.has(Role.EXPERIMENTER) ? "Settings" : "API tokens"), tabs);
        setWidthFull();
    }
}

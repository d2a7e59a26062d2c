package dev.faultline.ui;

import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;

import dev.faultline.run.RunPolicy;
import dev.faultline.security.User;
import dev.faultline.security.UserService;

/**
 * The policy in force: the namespaces runs may touch and the ceilings (set in configuration, so
 * that a compromised account cannot widen them), and who was granted which namespaces.
 */
class PolicyPanel extends VerticalLayout {

    PolicyPanel(RunPolicy policy, UserService users) {
        RunPolicy.Settings settings = policy.settings();
        Div allowed = new Div("Allowed namespaces: " + (settings.allowedNamespaces().isEmpty()
                ? "none — every run is refused until faultline.policy.allowed-namespaces lists some"
                : String.join(", ", settings.allowedNamespaces())));
        allowed.setId("policy-namespaces");
        Div ceilings = new Div("Ceilings: at most " + settings.maxPercentage() + "% of requests faulted, runs of at most "
                + settings.maxDuration());
        ceilings.setId("policy-ceilings");
        Grid<User> grants = new Grid<>();
        grants.setId("policy-grants");
        grants.addColumn(User::username).setHeader("User").setAutoWidth(true);
        grants.addColumn(user -> user.namespaces().isEmpty() ? "none" : String.join(", ", user.namespaces())).setHeader("Granted")
                .setFlexGrow(2);
        grants.setItems(users.list());
        grants.setAllRowsVisible(true);
        grants.addThemeVariants(GridVariant.LUMO_COMPACT);
        VerticalLayout card = new VerticalLayout(new H4("In force"), allowed, ceilings, new Paragraph(
                "These are set in configuration (faultline.policy.allowed-namespaces, max-percentage, max-duration) and change with a "
                        + "redeploy; grants are changed per user on the Users tab."));
        card.addClassName("card");
        add(card, new H4("Grants"), grants);
        setPadding(false);
    }
}

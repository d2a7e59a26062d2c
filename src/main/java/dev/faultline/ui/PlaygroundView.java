package dev.faultline.ui;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.annotation.security.PermitAll;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.NumberField;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;

import dev.faultline.playground.PlaygroundService;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The playground's traffic: the request rate entering Bookinfo at the gateway, the share of it from
 * the signed-in user jason, and each service's own errors and latency, to watch a steady-state check
 * or a guardrail fail. Only there when the playground runs.
 */
@Route("playground")
@PageTitle("Traffic · Faultline playground")
@PermitAll
public class PlaygroundView extends VerticalLayout implements BeforeEnterObserver {

    private final PlaygroundService playground;
    private final UiActions actions;
    private final Caller user;
    private final NumberField rate = new NumberField("Requests a second at the gateway");
    private final NumberField jason = new NumberField("Share from user jason (0-1)");
    private final Map<String, NumberField[]> services = new LinkedHashMap<>();

    public PlaygroundView(PlaygroundService playground, UiActions actions, SecurityIdentity identity) {
        this.playground = playground;
        this.actions = actions;
        this.user = CurrentUser.of(identity);
        add(new H2("Playground traffic"));
        playground.status().ifPresent(this::show);
    }

    @Override
    public void beforeEnter(BeforeEnterEvent event) {
        if (!playground.enabled()) {
            event.forwardTo(DashboardView.class);
        }
    }

    private void show(PlaygroundService.Status status) {
        add(new Paragraph("Bookinfo in namespace " + status.namespace() + ": requests enter at the ingress gateway, productpage calls "
                + "details and reviews, reviews v2 and v3 call ratings. Faults that runs write into the simulated VirtualServices "
                + "change this traffic as Istio would; Prometheus (" + (status.prometheusRunning() ? "running at " + status.prometheusUrl()
                        : status.prometheusProblem() == null ? "starting" : status.prometheusProblem()) + ") scrapes it every second."));
        rate.setId("traffic-rate");
        rate.setMin(0);
        rate.setMax(1000);
        rate.setValue(status.traffic().requestRate());
        jason.setId("traffic-jason");
        jason.setMin(0);
        jason.setMax(1);
        jason.setStep(0.05);
        jason.setValue(status.traffic().jasonShare());
        add(new HorizontalLayout(rate, jason));
        add(new H3("Each service on its own"));
        status.traffic().services().forEach((service, behaviour) -> {
            NumberField errors = new NumberField(service + ": share of its own errors (0-1)");
            errors.setId("traffic-" + service + "-errors");
            errors.setMin(0);
            errors.setMax(1);
            errors.setStep(0.01);
            errors.setValue(behaviour.errorRate());
            NumberField latency = new NumberField(service + ": its own latency (ms)");
            latency.setId("traffic-" + service + "-latency");
            latency.setMin(0);
            latency.setMax(60_000);
            latency.setValue(behaviour.latencyMs());
            services.put(service, new NumberField[] { errors, latency });
            add(new HorizontalLayout(errors, latency));
        });
        Button apply = new Button("Apply traffic", click -> apply());
        apply.setId("traffic-apply");
        apply.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        apply.setEnabled(user.has(Role.EXPERIMENTER));
        add(apply);
    }

    private void apply() {
        Map<String, PlaygroundService.Service> changed = new LinkedHashMap<>();
        services.forEach((service, fields) -> changed.put(service, new PlaygroundService.Service(fields[0].getValue(), fields[1].getValue())));
        actions.attempt(() -> playground.change(user, new PlaygroundService.Traffic(rate.getValue(), jason.getValue(), changed)),
                "Traffic changed; Prometheus sees it at its next scrape");
    }
}

package dev.faultline.ui;

import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

import jakarta.annotation.security.RolesAllowed;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.ListItem;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.UnorderedList;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.QueryParameters;
import com.vaadin.flow.router.Route;

import dev.faultline.mesh.Posture;
import dev.faultline.resilience.PostureService;
import dev.faultline.run.RunPolicy;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The resilience posture of a namespace, read from the cluster when asked: for every service its
 * routes with their timeouts and retries, its circuit breaking, its mTLS mode, and the gaps.
 * {@code posture?namespace=NS} opens on one namespace.
 */
@Route("posture")
@PageTitle("Posture · Faultline")
@RolesAllowed(Role.VIEWER_NAME)
public class PostureView extends VerticalLayout implements BeforeEnterObserver {

    private final PostureService postures;
    private final Caller user;
    private final ComboBox<String> namespace = new ComboBox<>("Namespace");
    private final Div summary = new Div();
    private final Grid<Posture.Service> services = new Grid<>();

    public PostureView(PostureService postures, RunPolicy policy, SecurityIdentity identity) {
        this.postures = postures;
        this.user = CurrentUser.of(identity);
        add(new H2("Resilience posture"));
        add(new Paragraph("How each service is set up to take a fault, from the mesh's own configuration: the VirtualService routes "
                + "that serve it with their timeout and retries, the circuit breaking of its DestinationRule, and its mTLS mode "
                + "from the PeerAuthentications. Read from the cluster now; nothing is written."));
        TreeSet<String> choices = user.grants().stream().filter(grant -> !"*".equals(grant)).collect(Collectors.toCollection(TreeSet::new));
        if (user.grants().contains("*")) {
            choices.addAll(policy.settings().allowedNamespaces());
        }
        namespace.setId("posture-namespace");
        namespace.setItems(choices);
        namespace.setAllowCustomValue(true);
        namespace.addCustomValueSetListener(event -> namespace.setValue(event.getDetail()));
        Button read = new Button("Read", event -> read());
        read.setId("posture-read");
        read.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        HorizontalLayout bar = new HorizontalLayout(namespace, read);
        bar.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
        add(bar);
        summary.setId("posture-summary");
        add(summary);
        services.setId("posture-services");
        services.addColumn(Posture.Service::service).setHeader("Service").setAutoWidth(true);
        services.addColumn(service -> "ambient".equals(service.dataPlane())
                ? service.waypoint() == null ? "ambient, no waypoint" : "ambient, waypoint " + service.waypoint()
                : "sidecar").setHeader("Data plane").setAutoWidth(true);
        services.addColumn(Posture.Service::mtls).setHeader("mTLS").setAutoWidth(true);
        services.addComponentColumn(service -> lines(service.routes().stream().map(PostureView::describe).toList(),
                "no VirtualService routes it")).setHeader("Routes: timeout, retries").setFlexGrow(2);
        services.addColumn(service -> describe(service.circuitBreaker())).setHeader("Circuit breaking").setFlexGrow(1);
        services.addComponentColumn(service -> lines(service.gaps(), "none")).setHeader("Gaps").setFlexGrow(3);
        services.addThemeVariants(GridVariant.LUMO_WRAP_CELL_CONTENT, GridVariant.LUMO_COMPACT);
        services.setAllRowsVisible(true);
        add(services);
        if (choices.size() == 1) {
            namespace.setValue(choices.first());
        }
    }

    @Override
    public void beforeEnter(BeforeEnterEvent event) {
        QueryParameters query = event.getLocation().getQueryParameters();
        List<String> asked = query.getParameters().getOrDefault("namespace", List.of());
        if (!asked.isEmpty()) {
            namespace.setValue(asked.get(0));
            read();
        }
    }

    private void read() {
        try {
            Posture posture = postures.posture(user, namespace.getValue());
            summary.setText("Namespace " + posture.namespace() + ": mTLS " + posture.mtls() + " — " + posture.mtlsSource() + "; "
                    + posture.services().size() + " services, " + posture.services().stream().mapToInt(s -> s.gaps().size()).sum()
                    + " gaps");
            services.setItems(posture.services());
        } catch (RuntimeException e) {
            summary.setText("");
            services.setItems(List.of());
            UiActions.showFailure(e);
        }
    }

    private static UnorderedList lines(List<String> lines, String none) {
        UnorderedList list = new UnorderedList();
        (lines.isEmpty() ? List.of(none) : lines).forEach(line -> list.add(new ListItem(line)));
        list.getStyle().set("margin", "0").set("padding-left", "1em");
        return list;
    }

    static String describe(Posture.Route route) {
        String subsets = route.subsets().isEmpty() ? "" : " → " + String.join(", ", route.subsets());
        String timeout = route.timeout() == null ? "no timeout" : "timeout " + route.timeout();
        String retries = route.retries() == null ? "Istio's default retries"
                : route.retries().attempts() == 0 ? "retries off"
                        : route.retries().attempts() + " retries" + (route.retries().perTryTimeout() == null ? ""
                                : " of " + route.retries().perTryTimeout()) + (route.retries().retryOn() == null ? ""
                                        : " on " + route.retries().retryOn());
        return route.virtualService() + ", route " + route.route() + subsets + ": " + timeout + ", " + retries;
    }

    static String describe(Posture.CircuitBreaker breaker) {
        if (breaker == null) {
            return "no DestinationRule";
        }
        return "DestinationRule " + breaker.destinationRule() + ": "
                + (breaker.outlierDetection() != null ? "outlier detection " + breaker.outlierDetection()
                        : breaker.detectsOutliers() ? "outlier detection in subsets " + breaker.subsets().stream()
                                .filter(subset -> subset.outlierDetection() != null).map(Posture.SubsetPolicy::subset)
                                .collect(Collectors.joining(", "))
                                : "no outlier detection")
                + (breaker.connectionPool() != null ? "; connection pool " + breaker.connectionPool() : "");
    }
}

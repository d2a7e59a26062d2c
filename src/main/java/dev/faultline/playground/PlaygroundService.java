package dev.faultline.playground;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.ResourceNotFoundException;
import dev.faultline.playground.MeshSimulator.Behaviour;
import dev.faultline.playground.MeshSimulator.Settings;
import dev.faultline.security.AuditTrail;
import dev.faultline.security.Caller;
import dev.faultline.security.Role;

/** What the API and the UI may ask of the playground: whether it runs, and the simulated traffic, read and changed. */
@ApplicationScoped
public class PlaygroundService {

    private final PlaygroundStartup startup;
    private final AuditTrail audit;

    PlaygroundService(PlaygroundStartup startup, AuditTrail audit) {
        this.startup = startup;
        this.audit = audit;
    }

    /** The playground's state; the traffic as requests a second at the gateway, jason's share, and each service's own behaviour. */
    public record Status(String namespace, String kubernetesApi, String prometheusUrl, boolean prometheusRunning,
            String prometheusProblem, Traffic traffic) {
    }

    /** The simulated traffic, as the API writes it: every field optional on a change (unchanged when absent). */
    public record Traffic(Double requestRate, Double jasonShare, Map<String, Service> services) {
    }

    /** A service's own share of errors (0 to 1) and latency in milliseconds. */
    public record Service(Double errorRate, Double latencyMs) {
    }

    public boolean enabled() {
        return startup.enabled() && Playground.current().isPresent();
    }

    /** Empty when the playground is off. */
    public Optional<Status> status() {
        if (!enabled()) {
            return Optional.empty();
        }
        Playground playground = Playground.current().orElseThrow();
        return Optional.of(new Status(Playground.NAMESPACE, playground.apiServerUrl(), playground.prometheusUrl().toString(),
                playground.prometheusRunning(), playground.prometheusProblem().orElse(null), traffic(playground)));
    }

    /** Changes the traffic (an experimenter may); fields left out stay as they are. */
    public Status change(Caller caller, Traffic change) {
        return audit.perform(caller, "playground.traffic", "playground", () -> {
            caller.require(Role.EXPERIMENTER);
            MeshSimulator simulator = running().simulator();
            simulator.settings(apply(simulator.settings(), simulator.topology().services(), change));
            return status().orElseThrow();
        });
    }

    private static Playground running() {
        return Playground.current().orElseThrow(() -> new ResourceNotFoundException(
                "the playground is off: start Faultline with faultline.playground.enabled=true and no cluster configured"));
    }

    static Settings apply(Settings current, List<String> services, Traffic change) {
        if (change == null) {
            throw new InvalidDocumentException(List.of(new FieldError("", "a body is required: {requestRate, jasonShare, services}")));
        }
        List<FieldError> errors = new ArrayList<>();
        double rate = between(errors, "requestRate", change.requestRate(), current.requestRate(), 0, 1000);
        double jason = between(errors, "jasonShare", change.jasonShare(), current.jasonShare(), 0, 1);
        Settings next = current;
        if (change.services() != null) {
            for (Map.Entry<String, Service> entry : change.services().entrySet()) {
                String path = "services." + entry.getKey();
                if (!services.contains(entry.getKey())) {
                    errors.add(new FieldError(path, "no such service in the playground; it has " + String.join(", ", services)));
                    continue;
                }
                if (entry.getValue() == null) {
                    errors.add(new FieldError(path, "must be an object {errorRate, latencyMs}"));
                    continue;
                }
                Behaviour was = current.of(entry.getKey());
                double errorRate = between(errors, path + ".errorRate", entry.getValue().errorRate(), was.errorRate(), 0, 1);
                double latency = between(errors, path + ".latencyMs", entry.getValue().latencyMs(), was.latencyMs(), 0, 60_000);
                if (errors.isEmpty()) {
                    next = next.with(entry.getKey(), new Behaviour(errorRate, latency));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
        return new Settings(rate, jason, next.services());
    }

    private static double between(List<FieldError> errors, String path, Double given, double current, double min, double max) {
        if (given == null) {
            return current;
        }
        if (given.isNaN() || given < min || given > max) {
            errors.add(new FieldError(path, "must be between " + number(min) + " and " + number(max) + ", not " + given));
            return current;
        }
        return given;
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private static Traffic traffic(Playground playground) {
        Settings settings = playground.simulator().settings();
        Map<String, Service> services = new TreeMap<>();
        for (String service : playground.simulator().topology().services()) {
            Behaviour behaviour = settings.of(service);
            services.put(service, new Service(behaviour.errorRate(), behaviour.latencyMs()));
        }
        return new Traffic(settings.requestRate(), settings.jasonShare(), new LinkedHashMap<>(services));
    }
}

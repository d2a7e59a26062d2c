package dev.faultline.resilience;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.Durations;
import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.experiment.spec.ExperimentSpec;
import dev.faultline.experiment.spec.Fault;
import dev.faultline.experiment.spec.Guardrail;
import dev.faultline.experiment.spec.Measurement;
import dev.faultline.experiment.spec.Tolerance;
import dev.faultline.mesh.Posture;
import dev.faultline.resilience.Finding.Kind;
import dev.faultline.resilience.Impact.Edge;
import dev.faultline.resilience.Impact.Traffic;
import dev.faultline.run.CheckKind;
import dev.faultline.run.Run;

/**
 * The findings of a run, drawn from its impact (the edges' traffic before and during the fault), the
 * posture of its namespace (the routes' timeouts and retries, circuit breaking) and its guardrails'
 * samples. Pure: every rule is tested on figures alone. The thresholds:
 * <ul>
 * <li>a delay D <em>reached</em> a caller when its calls' p99 rose by at least {@link #DELAY_SHARE} of D;
 * <li>a caller <em>passed on</em> failures when its own error rate (the calls into it) rose by at least
 * {@link #PASSED_ON_SHARE} of the rise of its calls' error rate;
 * <li>an edge's errors <em>rose</em> when its error rate went up by {@link #ERROR_POINTS} (one point) or more;
 * <li>a guardrail <em>did not move</em> when its values during the fault spanned at most {@link #STILL} of its limit
 * and none failed, while an edge into its service moved in what it watches (error rate by a point, p99 or request
 * rate by {@link #MOVED} or more).
 * </ul>
 */
final class FindingRules {

    static final double DELAY_SHARE = 0.5;
    static final double PASSED_ON_SHARE = 0.5;
    static final double ERROR_POINTS = 0.01;
    static final double STILL = 0.1;
    static final double MOVED = 0.2;
    /** Paths of spreading errors reported at most, the longest first. */
    static final int MOST_PATHS = 5;
    static final String RETRY_ON = "5xx,reset,connect-failure,refused-stream";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SERVICE_IN_QUERY = Pattern.compile(
            "destination_(?:service_name|canonical_service|app)\\s*=\\s*\"([a-z0-9]([-a-z0-9]*[a-z0-9])?)\"|destination_service\\s*=~?\\s*\"([a-z0-9]([-a-z0-9]*[a-z0-9])?)\\.");

    private FindingRules() {
    }

    static List<Finding> of(Impact impact, Posture posture, ExperimentSpec spec, List<Run.Sample> samples) {
        String namespace = impact.target().namespace();
        String target = impact.target().service();
        Optional<Posture.Service> service = posture.service(target);
        List<Edge> faulted = impact.edges().stream().filter(edge -> edge.target() && seesTheFault(edge)).toList();
        List<Finding> findings = new ArrayList<>();
        spec.faults().stream().map(Fault::delay).filter(Objects::nonNull).map(Fault.Delay::fixedDelay).max(Comparator.naturalOrder())
                .ifPresent(delay -> faulted.forEach(edge -> missingTimeout(impact, edge, delay, namespace, target, service)
                        .ifPresent(findings::add)));
        faulted.forEach(edge -> passedOn(impact, edge, namespace, target, service).ifPresent(findings::add));
        findings.addAll(spread(impact, namespace, target, service));
        for (int i = 0; i < spec.guardrails().size(); i++) {
            blindGuardrail(impact, posture, spec.guardrails().get(i), i, samples).ifPresent(findings::add);
        }
        return findings;
    }

    /** A source's or waypoint's report of a call carries the faults injected on it; a destination's does not (in sidecar mode). */
    private static boolean seesTheFault(Edge edge) {
        return !"destination".equals(edge.reporter());
    }

    // --- a delay that reached the caller in full ---

    private static Optional<Finding> missingTimeout(Impact impact, Edge edge, Duration delay, String namespace, String target,
            Optional<Posture.Service> service) {
        Double before = p99(edge.before());
        Double during = p99(edge.during());
        double delayMs = delay.toNanos() / 1e6;
        if (before == null || during == null || !atLeast(during - before, DELAY_SHARE * delayMs)) {
            return Optional.empty();
        }
        List<Posture.Route> routes = service.map(Posture.Service::routes).orElse(List.of());
        List<Posture.Route> without = routes.stream().filter(route -> route.timeout() == null).toList();
        if (!routes.isEmpty() && without.isEmpty()) {
            return Optional.empty();
        }
        String caller = edge.sourceService();
        Duration timeout = timeoutFor(before);
        String where = routes.isEmpty() ? "no VirtualService routes calls to " + target
                : "no timeout on " + routeList(without);
        StringBuilder evidence = new StringBuilder(caller + " → " + target + " p99 " + Figures.millis(before) + " before the run, " + Figures.millis(during)
                + " during the fault (" + Durations.format(delay) + " delay; reported by " + edge.reporter() + "); " + where);
        own(impact, edge, Traffic::latencyP99).ifPresent(own -> evidence.append("; ").append(caller).append("'s own p99 ")
                .append(Figures.millis(own[0])).append(" → ").append(Figures.millis(own[1])));
        String suggestion = "Give calls to " + target + " a timeout a little above their usual p99 (" + Figures.millis(before) + " before the run), so a slow "
                + target + " costs " + caller + " at most " + istioDuration(timeout) + " a call:\n"
                + (routes.isEmpty() ? newVirtualService(namespace, target, "timeout", JSON.getNodeFactory().textNode(istioDuration(timeout)))
                        : patches(namespace, without, "timeout", JSON.getNodeFactory().textNode(istioDuration(timeout))));
        return Optional.of(new Finding(Kind.MISSING_TIMEOUT, caller, target, "a " + Durations.format(delay) + " delay on " + target + " reached "
                + caller + " in full: its calls to " + target + " have no timeout", evidence.toString(), suggestion, null, null));
    }

    /** Twice the usual p99, at least 100 ms, rounded up to 100, 250 or 500 ms, 1, 2, 5 or 10 s and so on. */
    static Duration timeoutFor(double p99Millis) {
        double wanted = Math.max(100, 2 * p99Millis);
        double step = 100;
        double[] factors = { 1, 2.5, 5 };
        while (true) {
            for (double factor : factors) {
                if (step * factor >= wanted) {
                    return Duration.ofMillis(Math.round(step * factor));
                }
            }
            step *= 10;
        }
    }

    // --- failures passed on to the caller's own callers ---

    private static Optional<Finding> passedOn(Impact impact, Edge edge, String namespace, String target, Optional<Posture.Service> service) {
        Double rise = rise(edge, Traffic::errorRate);
        if (rise == null || !atLeast(rise, ERROR_POINTS)) {
            return Optional.empty();
        }
        Optional<double[]> own = own(impact, edge, Traffic::errorRate);
        if (own.isEmpty() || !atLeast(own.get()[1] - own.get()[0], PASSED_ON_SHARE * rise)) {
            return Optional.empty();
        }
        String caller = edge.sourceService();
        List<Posture.Route> routes = service.map(Posture.Service::routes).orElse(List.of());
        List<Posture.Route> notRetrying = routes.stream().filter(route -> route.retries() == null || route.retries().attempts() == 0).toList();
        String evidence = caller + " → " + target + " errors " + Figures.percent(edge.before().errorRate()) + " before the run, "
                + Figures.percent(edge.during().errorRate()) + " during the fault; the calls into " + caller + " " + Figures.percent(own.get()[0]) + " → "
                + Figures.percent(own.get()[1]) + "; " + (routes.isEmpty() ? "no VirtualService routes calls to " + target
                        : routes.stream().map(FindingRules::retriesOf).reduce((a, b) -> a + ", " + b).orElseThrow());
        String injected = " Istio does not retry the aborts it injects, so the run shows what " + caller + "'s callers get when retries "
                + "cannot help; a real failure of " + target + " is often gone on a second attempt.";
        if (routes.isEmpty() || !notRetrying.isEmpty()) {
            boolean off = notRetrying.stream().anyMatch(route -> route.retries() != null);
            ObjectNode retries = JSON.createObjectNode().put("attempts", 2).put("perTryTimeout", istioDuration(timeoutFor(p99OrZero(edge.before()))))
                    .put("retryOn", RETRY_ON);
            String suggestion = "Retry failed calls to " + target + " (twice, each attempt bounded), and have " + caller
                    + " answer without " + target + " when it still fails:\n" + (routes.isEmpty()
                            ? newVirtualService(namespace, target, "retries", retries) : patches(namespace, notRetrying, "retries", retries));
            return Optional.of(new Finding(Kind.MISSING_RETRIES, caller, target, caller + " passed " + target + "'s failures on to its own callers, and "
                    + (off ? "retries are turned off on " : "no retries are stated on ") + (routes.isEmpty() ? "its calls to " + target
                            : routeList(notRetrying)) + "." + injected, evidence, suggestion, null, null));
        }
        String suggestion = outlierDetection(namespace, target, service)
                .map(patch -> "Have " + caller + " answer without " + target + " when its calls fail (a fallback), and stop sending calls to "
                        + "failing endpoints of " + target + ":\n" + patch)
                .orElse("Have " + caller + " answer without " + target + " when its calls fail (a fallback): " + target
                        + " already retries and ejects failing endpoints, so the failures that remain reach " + caller + ".");
        return Optional.of(new Finding(Kind.ERRORS_PASSED_ON, caller, target, caller + " passed " + target + "'s failures on to its own callers "
                + "although its calls to " + target + " are retried." + injected, evidence, suggestion, null, null));
    }

    // --- errors spreading up a chain of calls ---

    private record Node(String service, String namespace) {
    }

    private static List<Finding> spread(Impact impact, String namespace, String target, Optional<Posture.Service> service) {
        Map<Node, List<Edge>> failingInto = new LinkedHashMap<>();
        for (Edge edge : impact.edges()) {
            Double rise = rise(edge, Traffic::errorRate);
            if (rise != null && atLeast(rise, ERROR_POINTS)) {
                failingInto.computeIfAbsent(new Node(edge.destination(), edge.destinationNamespace()), n -> new ArrayList<>()).add(edge);
            }
        }
        List<List<Edge>> paths = new ArrayList<>();
        walk(new Node(target, namespace), new ArrayList<>(), failingInto, paths);
        paths.sort(Comparator.comparingInt((List<Edge> path) -> -path.size()));
        List<Finding> findings = new ArrayList<>();
        for (List<Edge> path : paths.subList(0, Math.min(MOST_PATHS, paths.size()))) {
            List<String> services = new ArrayList<>();
            path.forEach(edge -> services.add(edge.sourceService()));
            services.add(target);
            Edge outer = path.get(0);
            Edge first = path.get(path.size() - 1);
            String evidence = String.join("; ", path.stream().map(edge -> edge.sourceService() + " → " + edge.destination() + " errors "
                    + Figures.percent(edge.before().errorRate()) + " → " + Figures.percent(edge.during().errorRate())).toList());
            String firstCaller = first.sourceService();
            String suggestion = outlierDetection(namespace, target, service)
                    .map(patch -> "Stop the failures at " + firstCaller + ", the first to turn " + target + "'s failures into its own: a "
                            + "fallback there, and no calls to failing endpoints of " + target + ":\n" + patch)
                    .orElse("Stop the failures at " + firstCaller + ", the first to turn " + target + "'s failures into its own: have it answer "
                            + "without " + target + " (a fallback).");
            findings.add(new Finding(Kind.ERRORS_SPREAD, outer.sourceService(), target, "errors from " + target + " spread " + path.size()
                    + " calls up, to " + outer.sourceService() + ": " + String.join(" → ", services), evidence, suggestion, services, null));
        }
        return findings;
    }

    /** Every longest path of failing calls ending at {@code at} of two calls or more, outermost call first. */
    private static void walk(Node at, List<Edge> below, Map<Node, List<Edge>> failingInto, List<List<Edge>> paths) {
        boolean further = false;
        for (Edge edge : failingInto.getOrDefault(at, List.of())) {
            Node caller = new Node(edge.sourceService(), edge.sourceNamespace());
            boolean seen = caller.equals(at) || below.stream().anyMatch(e -> new Node(e.destination(), e.destinationNamespace()).equals(caller));
            if (seen) {
                continue;
            }
            further = true;
            List<Edge> longer = new ArrayList<>();
            longer.add(edge);
            longer.addAll(below);
            walk(caller, longer, failingInto, paths);
        }
        if (!further && below.size() >= 2) {
            paths.add(List.copyOf(below));
        }
    }

    // --- a guardrail that did not watch the harm ---

    private static Optional<Finding> blindGuardrail(Impact impact, Posture posture, Guardrail guardrail, int index, List<Run.Sample> samples) {
        Measurement measurement = guardrail.measurement();
        Measurement.GoldenSignal signal = measurement.goldenSignal();
        String service;
        String namespace = impact.target().namespace();
        if (signal != null) {
            service = signal.service();
            namespace = signal.namespace() == null ? namespace : signal.namespace();
        } else if (measurement.prometheus() != null) {
            service = serviceIn(measurement.prometheus().query()).orElse(null);
        } else {
            return Optional.empty();
        }
        if (service == null || guardrail.tolerance() == null) {
            return Optional.empty();
        }
        Impact.Window during = impact.window().during();
        List<Run.Sample> mine = samples.stream().filter(sample -> sample.kind() == CheckKind.GUARDRAIL && CheckKind.index(sample.check()) == index)
                .filter(sample -> within(sample.at(), during)).toList();
        if (mine.size() < 2 || mine.stream().anyMatch(sample -> !sample.passed() || sample.value() == null || sample.value().isNaN())) {
            return Optional.empty();
        }
        double low = mine.stream().mapToDouble(Run.Sample::value).min().orElseThrow();
        double high = mine.stream().mapToDouble(Run.Sample::value).max().orElseThrow();
        double scale = scale(guardrail.tolerance());
        if (high - low > Math.max(STILL * scale, 1e-9)) {
            return Optional.empty();
        }
        String watched = service;
        String watchedNamespace = namespace;
        Optional<Edge> moved = impact.edges().stream().filter(edge -> edge.destination().equals(watched) && edge.destinationNamespace().equals(watchedNamespace))
                .filter(edge -> atLeast(movement(edge, signal), watches(signal, "errorRate") ? ERROR_POINTS : MOVED))
                .max(Comparator.comparingDouble(edge -> movement(edge, signal)));
        if (moved.isEmpty()) {
            return Optional.empty();
        }
        Edge edge = moved.get();
        String name = guardrail.name() == null ? "spec.guardrails[" + index + "]" : guardrail.name();
        String values = mine.size() + " checks during the fault read " + (low == high ? number(low) : number(low) + " to " + number(high))
                + " (" + guardrail.tolerance().describe() + ")";
        String evidence = edge.sourceService() + " → " + service + " " + change(edge, signal) + " (reported by " + edge.reporter() + "); "
                + "guardrail " + name + ": " + values;
        Duration fault = Duration.ofMillis(during.millis());
        String why;
        Guardrail better;
        if (signal != null && reporterOf(signal, posture, service) == Measurement.Reporter.DESTINATION && seesTheFault(edge)
                && service.equals(impact.target().service())) {
            why = "it reads " + service + "'s calls as " + service + "'s own proxy reports them, and that proxy never sees the faults its callers' "
                    + "proxies inject";
            better = with(guardrail, new Measurement.GoldenSignal(signal.signal(), signal.service(), signal.namespace(), signal.window(),
                    Measurement.Reporter.SOURCE, signal.excludeInjected()));
        } else if (signal != null && window(signal).compareTo(fault.multipliedBy(2)) > 0) {
            Duration shorter = Duration.ofSeconds(Math.max(10, fault.toSeconds() / 2));
            why = "its " + Durations.format(window(signal)) + " window averages the " + Durations.format(fault) + " fault away";
            better = with(guardrail, new Measurement.GoldenSignal(signal.signal(), signal.service(), signal.namespace(), shorter,
                    signal.reporter(), signal.excludeInjected()));
        } else if (signal == null) {
            why = "its query did not follow the calls into " + service;
            better = with(guardrail, new Measurement.GoldenSignal(Measurement.Signal.ERROR_RATE, service,
                    watchedNamespace.equals(impact.target().namespace()) ? null : watchedNamespace, null, Measurement.Reporter.SOURCE, null));
        } else {
            why = "it did not follow the calls into " + service;
            better = null;
        }
        String suggestion = better == null ? "Check what " + name + " reads against the calls into " + service + " on the impact map."
                : "Watch the calls as the harm shows in them:\n" + ExperimentCodec.write(List.of(better), DocumentFormat.YAML).strip();
        return Optional.of(new Finding(Kind.BLIND_GUARDRAIL, edge.sourceService(), service, "guardrail " + name + " did not move while the calls "
                + "into " + service + " did: " + why, evidence, suggestion, null, name));
    }

    private static Guardrail with(Guardrail guardrail, Measurement.GoldenSignal signal) {
        return new Guardrail(guardrail.name(), new Measurement(null, signal, null, null), guardrail.tolerance(), guardrail.interval(),
                guardrail.failureThreshold());
    }

    /** The service a raw query reads, when it names one destination ({@code destination_service_name="reviews"}). */
    static Optional<String> serviceIn(String query) {
        Matcher matcher = SERVICE_IN_QUERY.matcher(query == null ? "" : query);
        return matcher.find() ? Optional.of(matcher.group(1) != null ? matcher.group(1) : matcher.group(3)) : Optional.empty();
    }

    private static Measurement.Reporter reporterOf(Measurement.GoldenSignal signal, Posture posture, String service) {
        if (signal.reporter() != null) {
            return signal.reporter();
        }
        return posture.service(service).filter(s -> "ambient".equals(s.dataPlane()) && s.waypoint() != null)
                .map(s -> Measurement.Reporter.WAYPOINT).orElse(Measurement.Reporter.DESTINATION);
    }

    private static Duration window(Measurement.GoldenSignal signal) {
        return signal.window() == null ? Measurement.GoldenSignal.DEFAULT_WINDOW : signal.window();
    }

    private static boolean watches(Measurement.GoldenSignal signal, String key) {
        return signal == null ? key.equals("errorRate") : signal.signal().key().equals(key);
    }

    /** How much the edge moved in what the guardrail watches: error points, or the relative change of p99 or request rate. */
    private static double movement(Edge edge, Measurement.GoldenSignal signal) {
        if (edge.before() == null || edge.during() == null) {
            return 0;
        }
        if (signal == null) {
            Double rise = rise(edge, Traffic::errorRate);
            return rise == null ? 0 : Math.abs(rise);
        }
        return switch (signal.signal()) {
            case ERROR_RATE -> Optional.ofNullable(rise(edge, Boolean.TRUE.equals(signal.excludeInjected()) ? Traffic::errorRateExcludingInjected
                    : Traffic::errorRate)).map(Math::abs).orElse(0.0);
            case REQUEST_RATE -> relative(edge.before().requestRate(), edge.during().requestRate());
            default -> relative(edge.before().latencyP99(), edge.during().latencyP99());
        };
    }

    private static String change(Edge edge, Measurement.GoldenSignal signal) {
        if (signal == null || signal.signal() == Measurement.Signal.ERROR_RATE) {
            boolean excluding = signal != null && Boolean.TRUE.equals(signal.excludeInjected());
            Function<Traffic, Double> figure = excluding ? Traffic::errorRateExcludingInjected : Traffic::errorRate;
            return "errors" + (excluding ? " not injected" : "") + " " + Figures.percent(figure.apply(edge.before())) + " before the run, "
                    + Figures.percent(figure.apply(edge.during())) + " during the fault";
        }
        if (signal.signal() == Measurement.Signal.REQUEST_RATE) {
            return "requests " + Figures.rate(edge.before().requestRate()) + " → " + Figures.rate(edge.during().requestRate()) + " a second";
        }
        return "p99 " + Figures.millis(edge.before().latencyP99()) + " before the run, " + Figures.millis(edge.during().latencyP99()) + " during the fault";
    }

    private static double relative(Double before, Double during) {
        if (before == null || during == null || before <= 0) {
            return 0;
        }
        return Math.abs(during / before - 1);
    }

    private static double scale(Tolerance tolerance) {
        return switch (tolerance) {
            case Tolerance.Bound bound -> Math.abs(bound.limit());
            case Tolerance.Between between -> Math.max(Math.abs(between.low()), Math.abs(between.high()));
        };
    }

    private static boolean within(Instant at, Impact.Window window) {
        return at != null && !at.isBefore(window.from()) && !at.isAfter(window.to());
    }

    // --- shared figures ---

    private static Double p99(Traffic traffic) {
        return traffic == null ? null : traffic.latencyP99();
    }

    private static double p99OrZero(Traffic traffic) {
        Double p99 = p99(traffic);
        return p99 == null ? 0 : p99;
    }

    /** At or above the threshold, give or take the rounding of the sums it comes from. */
    private static boolean atLeast(double figure, double threshold) {
        return figure >= threshold - 1e-9;
    }

    private static Double rise(Edge edge, Function<Traffic, Double> figure) {
        if (edge.before() == null || edge.during() == null) {
            return null;
        }
        Double before = figure.apply(edge.before());
        Double during = figure.apply(edge.during());
        return before == null || during == null ? null : during - before;
    }

    /**
     * The caller's own figure (the calls into it, averaged by their request rates) before and during the fault; empty when
     * no call into it was recorded in both windows.
     */
    private static Optional<double[]> own(Impact impact, Edge edge, Function<Traffic, Double> figure) {
        double[] sums = new double[4];
        for (Edge into : impact.edges()) {
            if (!into.destination().equals(edge.sourceService()) || !into.destinationNamespace().equals(edge.sourceNamespace())
                    || into.before() == null || into.during() == null) {
                continue;
            }
            Double before = figure.apply(into.before());
            Double during = figure.apply(into.during());
            Double beforeRate = into.before().requestRate();
            Double duringRate = into.during().requestRate();
            if (before == null || during == null || beforeRate == null || duringRate == null || beforeRate <= 0 || duringRate <= 0) {
                continue;
            }
            sums[0] += before * beforeRate;
            sums[1] += beforeRate;
            sums[2] += during * duringRate;
            sums[3] += duringRate;
        }
        return sums[1] > 0 && sums[3] > 0 ? Optional.of(new double[] { sums[0] / sums[1], sums[2] / sums[3] }) : Optional.empty();
    }

    // --- suggestions ---

    private static String routeList(List<Posture.Route> routes) {
        return String.join(", ", routes.stream().map(route -> "VirtualService " + route.virtualService() + " route " + route.route()).toList());
    }

    private static String retriesOf(Posture.Route route) {
        String where = "VirtualService " + route.virtualService() + " route " + route.route();
        if (route.retries() == null) {
            return where + " states no retries (Istio's default: 2 attempts on connection failures)";
        }
        return where + (route.retries().attempts() == 0 ? " turns retries off" : " retries " + route.retries().attempts() + " times"
                + (route.retries().retryOn() == null ? "" : " on " + route.retries().retryOn()));
    }

    /** One {@code kubectl patch} per VirtualService, setting {@code field} on each of its routes. */
    private static String patches(String namespace, List<Posture.Route> routes, String field, com.fasterxml.jackson.databind.JsonNode value) {
        Map<String, ArrayNode> byService = new LinkedHashMap<>();
        for (Posture.Route route : routes) {
            byService.computeIfAbsent(route.virtualService(), vs -> JSON.createArrayNode()).addObject().put("op", "add")
                    .put("path", "/spec/http/" + route.index() + "/" + field).set("value", value);
        }
        List<String> commands = new ArrayList<>();
        byService.forEach((vs, ops) -> commands.add("kubectl -n " + namespace + " patch virtualservice " + vs + " --type=json -p '" + ops + "'"));
        return String.join("\n", commands);
    }

    /** A VirtualService for a service no VirtualService routes yet: all its calls, with {@code field} set. */
    private static String newVirtualService(String namespace, String service, String field, com.fasterxml.jackson.databind.JsonNode value) {
        ObjectNode vs = JSON.createObjectNode().put("apiVersion", "networking.istio.io/v1").put("kind", "VirtualService");
        vs.putObject("metadata").put("name", service).put("namespace", namespace);
        ObjectNode spec = vs.putObject("spec");
        spec.putArray("hosts").add(service);
        ObjectNode route = spec.putArray("http").addObject();
        route.putArray("route").addObject().putObject("destination").put("host", service);
        route.set(field, value);
        return ExperimentCodec.write(vs, DocumentFormat.YAML).strip();
    }

    /** A merge patch of the service's DestinationRule (or a new one) ejecting failing endpoints; empty when it ejects them already. */
    private static Optional<String> outlierDetection(String namespace, String service, Optional<Posture.Service> posture) {
        Posture.CircuitBreaker breaker = posture.map(Posture.Service::circuitBreaker).orElse(null);
        if (breaker != null && breaker.detectsOutliers()) {
            return Optional.empty();
        }
        ObjectNode detection = JSON.createObjectNode().put("consecutive5xxErrors", 5).put("interval", "10s").put("baseEjectionTime", "30s")
                .put("maxEjectionPercent", 50);
        if (breaker != null) {
            ObjectNode patch = JSON.createObjectNode();
            patch.putObject("spec").putObject("trafficPolicy").set("outlierDetection", detection);
            return Optional.of("kubectl -n " + namespace + " patch destinationrule " + breaker.destinationRule() + " --type=merge -p '" + patch + "'");
        }
        ObjectNode dr = JSON.createObjectNode().put("apiVersion", "networking.istio.io/v1").put("kind", "DestinationRule");
        dr.putObject("metadata").put("name", service).put("namespace", namespace);
        ObjectNode spec = dr.putObject("spec").put("host", service);
        spec.putObject("trafficPolicy").set("outlierDetection", detection);
        return Optional.of(ExperimentCodec.write(dr, DocumentFormat.YAML).strip());
    }

    /** A duration as Istio's API writes it: seconds, {@code 0.5s}, {@code 2s}. */
    static String istioDuration(Duration duration) {
        return BigDecimal.valueOf(duration.toMillis()).movePointLeft(3).stripTrailingZeros().toPlainString() + "s";
    }

    private static String number(double value) {
        return new BigDecimal(value).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }
}

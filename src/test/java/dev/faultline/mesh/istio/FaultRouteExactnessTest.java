package dev.faultline.mesh.istio;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.experiment.spec.Fault;
import dev.faultline.experiment.spec.Target;
import dev.faultline.experiment.spec.Target.StringMatch;
import dev.faultline.mesh.FaultRequest;
import dev.faultline.mesh.MeshException;
import dev.faultline.testing.CrdSchema;
import dev.faultline.playground.IstioRouting;
import dev.faultline.playground.IstioRouting.Request;

/**
 * A property of the fault route, on seeded random VirtualServices, targets and requests: a request is
 * faulted exactly when the route Faultline narrowed would have served it and the target's match selects
 * it, and every request, faulted or not, goes to the destinations it went to before. Requests are judged
 * by {@link IstioRouting}, written from Istio's documentation apart from the planner. A plan Faultline
 * refuses because no request of the target reaches the route must indeed have none.
 */
class FaultRouteExactnessTest {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final int CASES = 3000;
    private static final int REQUESTS = 400;
    private static final List<String> HEADERS = List.of("x-group", "end-user");
    private static final List<String> HEADER_VALUES = List.of("beta-1", "beta-22", "carol", "alpha", "b");
    private static final List<String> HEADER_PREFIXES = List.of("beta-", "b", "beta-2", "c", "al");
    private static final List<String> HEADER_REGEXES = List.of("beta-[0-9]+", "c.*", "alpha|carol", "beta-2.*");
    private static final List<String> PATHS = List.of("/", "/api", "/api/v1", "/api/v1/items", "/API/v1", "/health");
    private static final List<String> PATH_PREFIXES = List.of("/api", "/api/v1", "/h", "/");
    private static final List<String> PATH_REGEXES = List.of("/api/v[0-9]+/.*", "/(api|health).*");
    private static final List<String> METHODS = List.of("GET", "POST", "DELETE");
    private static final List<String> AUTHORITIES = List.of("reviews", "reviews:9080", "reviews.bookinfo");
    private static final List<String> QUERY_VALUES = List.of("1", "2", "all");
    private static final List<Integer> PORTS = List.of(9080, 9443);
    private static final List<String> APPS = List.of("productpage", "ratings");
    private static final List<String> NAMESPACES = List.of("bookinfo", "other");
    private static final List<String> SUBSETS = List.of("v1", "v2", "v3");

    private final CrdSchema schema = CrdSchema.istio();

    @Test
    void theFaultRouteTakesExactlyTheServedRequestsTheTargetSelectsAndChangesNoDestination() {
        int planned = 0;
        int neverServed = 0;
        int refused = 0;
        long faulted = 0;
        for (int seed = 1; seed <= CASES; seed++) {
            Random random = new Random(seed);
            ObjectNode vs = virtualService(random);
            Target target = new Target("istio", "bookinfo", "reviews", random.nextInt(3) == 0 ? pick(random, SUBSETS) : null, null,
                    targetMatch(random));
            List<Request> requests = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                requests.add(request(random));
            }
            String context = "seed " + seed + ": VirtualService " + vs.path("spec") + ", target " + target;
            FaultRequest fault = new FaultRequest("prop" + seed, target, null, new Fault.Abort(503, null, 100),
                    Instant.parse("2026-12-02T12:00:00Z"), true);
            RoutePlanner.Host host = RoutePlanner.Host.of(target);
            int index;
            ObjectNode after;
            try {
                index = RoutePlanner.servedRoute(vs, host, target);
                RoutePlanner.checkNotShadowed(vs, index, target.match());
                after = vs.deepCopy();
                ((ArrayNode) after.path("spec").path("http")).insert(index,
                        RoutePlanner.faultRoute(vs.path("spec").path("http").get(index), "http[" + index + "]", fault));
            } catch (MeshException e) {
                if (e.getMessage().startsWith("the requests of spec.target.match are never served")) {
                    neverServed++;
                    for (Request request : requests) {
                        int route = IstioRouting.route(vs, request);
                        boolean served = route >= 0 && servesTarget(vs.path("spec").path("http").get(route), target.subset());
                        assertThat(served && IstioRouting.matches(target.match(), request))
                                .as("%s: refused as never served, yet %s reaches route %d", context, request, route).isFalse();
                    }
                } else {
                    refused++;
                }
                continue;
            }
            planned++;
            if (seed % 50 == 0) {
                schema.assertValid(after);
            }
            for (Request request : requests) {
                int before = IstioRouting.route(vs, request);
                int now = IstioRouting.route(after, request);
                boolean expected = before == index && IstioRouting.matches(target.match(), request);
                assertThat(now == index).as("%s: request %s faulted", context, request).isEqualTo(expected);
                faulted += expected ? 1 : 0;
                JsonNode destinationsBefore = before < 0 ? null : vs.path("spec").path("http").get(before).path("route");
                JsonNode destinationsNow = now < 0 ? null : after.path("spec").path("http").get(now).path("route");
                assertThat(destinationsNow).as("%s: destinations of %s", context, request).isEqualTo(destinationsBefore);
            }
        }
        System.out.printf("fault route exactness: %d cases, %d planned, %d never served, %d refused, %d requests faulted%n", CASES,
                planned, neverServed, refused, faulted);
        // The property must have been tried on many plans, refusals and faulted requests, or it proves nothing.
        assertThat(planned).as("plans made").isGreaterThan(CASES / 3);
        assertThat(neverServed).as("plans refused as never served").isGreaterThan(CASES / 40);
        assertThat(refused).as("plans refused as ambiguous or not exactly narrowable").isPositive();
        assertThat(faulted).as("faulted requests").isGreaterThan(planned * 5L);
    }

    private static boolean servesTarget(JsonNode route, String subset) {
        for (JsonNode destination : route.path("route")) {
            if (destination.path("destination").path("host").asText().equals("reviews")
                    && (subset == null || subset.equals(destination.path("destination").path("subset").asText(null)))) {
                return true;
            }
        }
        return false;
    }

    private static ObjectNode virtualService(Random random) {
        ObjectNode vs = JSON.objectNode();
        vs.put("apiVersion", "networking.istio.io/v1");
        vs.put("kind", "VirtualService");
        vs.putObject("metadata").put("name", "reviews").put("namespace", "bookinfo");
        ObjectNode spec = vs.putObject("spec");
        spec.putArray("hosts").add("reviews");
        ArrayNode http = spec.putArray("http");
        int routes = 1 + random.nextInt(3);
        for (int r = 0; r < routes; r++) {
            ObjectNode route = http.addObject();
            route.put("name", "route-" + r);
            int blocks = r == routes - 1 && random.nextBoolean() ? 0 : random.nextInt(3);
            if (blocks > 0) {
                ArrayNode match = route.putArray("match");
                for (int b = 0; b < blocks; b++) {
                    match.add(block(random));
                }
            }
            ArrayNode destinations = route.putArray("route");
            if (random.nextInt(4) == 0) {
                destinations.addObject().put("weight", 80).putObject("destination").put("host", "reviews").put("subset", "v1");
                destinations.addObject().put("weight", 20).putObject("destination").put("host", "reviews").put("subset", "v3");
            } else {
                destinations.addObject().putObject("destination").put("host", "reviews").put("subset", pick(random, SUBSETS));
            }
        }
        return vs;
    }

    /** A served route's match block: a few random fields as users write them. */
    private static ObjectNode block(Random random) {
        ObjectNode block = JSON.objectNode();
        int fields = random.nextInt(4);
        for (int f = 0; f < fields; f++) {
            switch (random.nextInt(10)) {
                case 0, 1 -> object(block, "headers").set(pick(random, HEADERS), condition(random, HEADER_VALUES, HEADER_PREFIXES,
                        HEADER_REGEXES, true));
                case 2 -> object(block, "withoutHeaders").set(pick(random, HEADERS), condition(random, HEADER_VALUES, HEADER_PREFIXES,
                        HEADER_REGEXES, true));
                case 3 -> {
                    block.set("uri", condition(random, PATHS, PATH_PREFIXES, PATH_REGEXES, false));
                    if (random.nextInt(4) == 0) {
                        block.put("ignoreUriCase", true);
                    }
                }
                case 4 -> block.set("method", condition(random, METHODS, List.of("P", "D"), List.of("GET|POST"), false));
                case 5 -> block.set("authority", condition(random, AUTHORITIES, List.of("reviews", "reviews:"), List.of("reviews(:9080)?"),
                        false));
                case 6 -> object(block, "queryParams").set("v", random.nextBoolean() ? JSON.objectNode().put("exact", pick(random, QUERY_VALUES))
                        : JSON.objectNode().put("regex", "[0-9]"));
                case 7 -> block.put("port", pick(random, PORTS));
                case 8 -> object(block, "sourceLabels").put("app", pick(random, APPS));
                default -> block.put("sourceNamespace", pick(random, NAMESPACES));
            }
        }
        return block;
    }

    private static ObjectNode condition(Random random, List<String> values, List<String> prefixes, List<String> regexes,
            boolean mayBePresence) {
        int kind = random.nextInt(mayBePresence ? 7 : 6);
        ObjectNode node = JSON.objectNode();
        if (kind < 3) {
            node.put("exact", pick(random, values));
        } else if (kind < 5) {
            node.put("prefix", pick(random, prefixes));
        } else if (kind == 5) {
            node.put("regex", pick(random, regexes));
        }
        return node;
    }

    private static Target.Match targetMatch(Random random) {
        if (random.nextInt(6) == 0) {
            return null;
        }
        Map<String, StringMatch> headers = new HashMap<>();
        Map<String, StringMatch> without = new HashMap<>();
        Map<String, StringMatch> query = new HashMap<>();
        Map<String, String> labels = new HashMap<>();
        StringMatch uri = null;
        StringMatch method = null;
        StringMatch authority = null;
        Integer port = null;
        String namespace = null;
        int fields = 1 + random.nextInt(3);
        for (int f = 0; f < fields; f++) {
            switch (random.nextInt(9)) {
                case 0, 1 -> headers.put(pick(random, HEADERS), stringMatch(random, HEADER_VALUES, HEADER_PREFIXES, HEADER_REGEXES));
                case 2 -> without.put(pick(random, HEADERS), stringMatch(random, HEADER_VALUES, HEADER_PREFIXES, HEADER_REGEXES));
                case 3 -> uri = stringMatch(random, PATHS, PATH_PREFIXES, PATH_REGEXES);
                case 4 -> method = stringMatch(random, METHODS, List.of("P"), List.of("GET|POST"));
                case 5 -> authority = stringMatch(random, AUTHORITIES, List.of("reviews"), List.of("reviews(:9080)?"));
                case 6 -> query.put("v", random.nextBoolean() ? StringMatch.exact(pick(random, QUERY_VALUES)) : StringMatch.regex("[0-9]"));
                case 7 -> port = pick(random, PORTS);
                default -> {
                    if (random.nextBoolean()) {
                        labels.put("app", pick(random, APPS));
                    } else {
                        namespace = pick(random, NAMESPACES);
                    }
                }
            }
        }
        return new Target.Match(headers, without, uri, null, method, authority, query, port, labels, namespace);
    }

    private static StringMatch stringMatch(Random random, List<String> values, List<String> prefixes, List<String> regexes) {
        int kind = random.nextInt(6);
        return kind < 3 ? StringMatch.exact(pick(random, values))
                : kind < 5 ? StringMatch.prefix(pick(random, prefixes)) : StringMatch.regex(pick(random, regexes));
    }

    private static Request request(Random random) {
        Map<String, String> headers = new HashMap<>();
        for (String header : HEADERS) {
            if (random.nextInt(3) > 0) {
                headers.put(header, pick(random, HEADER_VALUES));
            }
        }
        Map<String, String> query = random.nextBoolean() ? Map.of("v", pick(random, QUERY_VALUES)) : Map.of();
        return new Request(pick(random, METHODS), "http", pick(random, AUTHORITIES), pick(random, PATHS), query, headers,
                pick(random, PORTS), Map.of("app", pick(random, APPS)), pick(random, NAMESPACES));
    }

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static ObjectNode object(ObjectNode parent, String field) {
        return parent.get(field) instanceof ObjectNode existing ? existing : parent.putObject(field);
    }
}

package dev.faultline.experiment.spec;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The traffic to fault: calls to {@code service} in {@code namespace}, optionally only those routed to
 * {@code subset}, served by the route named {@code route}, or matching {@code match}.
 *
 * @param mesh {@code istio} (the default when absent)
 * @param service a short name ({@code reviews}) or a cluster FQDN ({@code reviews.bookinfo.svc.cluster.local})
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({ "mesh", "namespace", "service", "subset", "route", "match" })
public record Target(String mesh, String namespace, String service, String subset, String route, Match match) {

    public static final String ISTIO = "istio";

    /** The service's short name: {@code reviews} for {@code reviews} and for {@code reviews.bookinfo.svc.cluster.local}. */
    public String serviceName() {
        return service.split("\\.")[0];
    }

    /**
     * Narrows the faulted traffic to the requests that have all of these, with the meaning of Istio's
     * {@code HTTPMatchRequest}: headers (and headers that must not be there), the URI's path, scheme, method
     * and authority, query parameters, the port, and the calling workloads' labels and namespace.
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({ "headers", "withoutHeaders", "uri", "scheme", "method", "authority", "queryParams", "port",
            "sourceLabels", "sourceNamespace" })
    public record Match(Map<String, StringMatch> headers, Map<String, StringMatch> withoutHeaders, StringMatch uri,
            StringMatch scheme, StringMatch method, StringMatch authority, Map<String, StringMatch> queryParams, Integer port,
            Map<String, String> sourceLabels, String sourceNamespace) {

        public Match {
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            withoutHeaders = withoutHeaders == null ? Map.of() : Map.copyOf(withoutHeaders);
            queryParams = queryParams == null ? Map.of() : Map.copyOf(queryParams);
            sourceLabels = sourceLabels == null ? Map.of() : Map.copyOf(sourceLabels);
        }

        /** Headers and calling workloads' labels only. */
        public Match(Map<String, StringMatch> headers, Map<String, String> sourceLabels) {
            this(headers, null, null, null, null, null, null, null, sourceLabels, null);
        }

        /** Whether the match narrows by who calls (which Istio cannot honour where the destination applies the fault). */
        @JsonIgnore
        public boolean bySource() {
            return !sourceLabels.isEmpty() || sourceNamespace != null;
        }
    }

    /** Exactly one of the three, as in Istio's {@code StringMatch}; regexes are RE2, matched against the whole value. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StringMatch(String exact, String prefix, String regex) {

        public static StringMatch exact(String value) {
            return new StringMatch(value, null, null);
        }

        public static StringMatch prefix(String value) {
            return new StringMatch(null, value, null);
        }

        public static StringMatch regex(String value) {
            return new StringMatch(null, null, value);
        }
    }
}

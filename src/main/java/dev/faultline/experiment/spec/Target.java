package dev.faultline.experiment.spec;

import java.util.Map;

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

    /** Narrows the faulted traffic to requests with these headers or from workloads with these labels. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({ "headers", "sourceLabels" })
    public record Match(Map<String, StringMatch> headers, Map<String, String> sourceLabels) {
        public Match {
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            sourceLabels = sourceLabels == null ? Map.of() : Map.copyOf(sourceLabels);
        }
    }

    /** Exactly one of the three, as in Istio's {@code StringMatch}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StringMatch(String exact, String prefix, String regex) {
    }
}

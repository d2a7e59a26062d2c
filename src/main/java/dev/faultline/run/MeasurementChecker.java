package dev.faultline.run;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.faultline.experiment.spec.Measurement;
import dev.faultline.experiment.spec.Tolerance;
import dev.faultline.metrics.Check;
import dev.faultline.metrics.GoldenSignal;
import dev.faultline.metrics.HttpProbe;
import dev.faultline.metrics.PrometheusClient;
import dev.faultline.metrics.QueryResult;
import dev.faultline.secret.SecretHeaders;

/** Takes one measurement of a probe or guardrail and judges it. */
@ApplicationScoped
class MeasurementChecker {

    private final PrometheusClient prometheus;
    private final HttpProbe http;
    private final DeploymentProbe deployments;
    private final SignalReporters reporters;
    private final SecretHeaders secrets;
    private final PostureProbe postures;

    MeasurementChecker(PrometheusClient prometheus, HttpProbe http, DeploymentProbe deployments, SignalReporters reporters,
            SecretHeaders secrets, PostureProbe postures) {
        this.secrets = secrets;
        this.postures = postures;
        this.prometheus = prometheus;
        this.http = http;
        this.deployments = deployments;
        this.reporters = reporters;
    }

    /** The PromQL of a Prometheus-backed measurement, golden signals reading the series the service's data plane reports. */
    Optional<String> promql(Measurement measurement, String targetNamespace) {
        return Measurements.promql(measurement, targetNamespace, reporters);
    }

    /** The golden signal a measurement stands for, reading the series the service's data plane reports; empty for any other. */
    Optional<GoldenSignal> goldenSignal(Measurement measurement, String targetNamespace) {
        return measurement.goldenSignal() == null ? Optional.empty()
                : Optional.of(Measurements.goldenSignal(measurement.goldenSignal(), targetNamespace, reporters));
    }

    Check check(Measurement measurement, Tolerance tolerance, String targetNamespace) {
        Optional<String> promql = promql(measurement, targetNamespace);
        if (promql.isPresent()) {
            return judge(prometheus.query(promql.get()), tolerance);
        }
        if (measurement.http() != null) {
            SecretHeaders.Resolved secret = secrets.resolve("the check", measurement.http());
            return secret.problem() != null ? Check.failed(null, secret.problem())
                    : http.check(Measurements.http(measurement.http(), secret.headers()));
        }
        if (measurement.posture() != null) {
            Measurement.PostureCheck posture = measurement.posture();
            return postures.check(posture.namespace() != null ? posture.namespace() : targetNamespace, posture);
        }
        Measurement.KubernetesCheck deployment = measurement.kubernetes();
        return deployments.check(deployment.namespace() != null ? deployment.namespace() : targetNamespace, deployment.deployment());
    }

    static Check judge(QueryResult result, Tolerance tolerance) {
        return Check.evaluate(result, tolerance::accepts, tolerance.describe());
    }

    static String threshold(Tolerance tolerance) {
        return tolerance == null ? null : tolerance.describe();
    }
}

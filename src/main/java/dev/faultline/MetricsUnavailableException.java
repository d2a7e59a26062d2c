package dev.faultline;

/** Prometheus did not answer what a request needs read from it (503 at the API). */
public class MetricsUnavailableException extends RuntimeException implements Failure.Known {
    public MetricsUnavailableException(String message) {
        super(message);
    }

    @Override
    public Failure failure() {
        return Failure.METRICS_UNAVAILABLE;
    }
}

package dev.faultline.resilience;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.faultline.Failure;
import dev.faultline.MetricsUnavailableException;
import dev.faultline.ResourceConflictException;
import dev.faultline.mesh.PostureReader;
import dev.faultline.run.Run;
import dev.faultline.run.RunService;
import dev.faultline.security.Caller;

/**
 * The findings of a run once its fault is out of the mesh: its impact read from Prometheus, the
 * posture of its namespace read from the cluster now, and its guardrails' samples, judged by
 * {@link FindingRules}. Drawn when asked (nothing is stored), for those who may see the impact.
 */
@ApplicationScoped
public class FindingService {

    private static final Logger LOG = Logger.getLogger(FindingService.class);

    private final ImpactService impacts;
    private final PostureReader postures;
    private final RunService runs;

    FindingService(ImpactService impacts, PostureReader postures, RunService runs) {
        this.impacts = impacts;
        this.postures = postures;
        this.runs = runs;
    }

    /**
     * A run's impact and its findings, read once. {@code findings} is null when they cannot be drawn, and
     * {@code unavailable} then says why; {@code impact} is null only when it could not be read either.
     */
    public record Analysis(Impact impact, List<Finding> findings, String unavailable) {
    }

    /** Fails with 409 while a rule of the run is live or when it wrote none, 503 when Prometheus or the cluster cannot be read. */
    public List<Finding> findings(Caller caller, String runId) {
        return draw(impacts.read(caller, runId), runs.samples(runId));
    }

    /** Both, for the run page: the impact is shown even when the findings cannot be drawn. */
    public Analysis analyse(Caller caller, String runId) {
        ImpactService.Read read = impacts.read(caller, runId);
        try {
            return new Analysis(read.impact(), draw(read, runs.samples(runId)), null);
        } catch (RuntimeException e) {
            return new Analysis(read.impact(), null, reason(e));
        }
    }

    /** For the notification of a run's end (the run as it ended): whoever started it, never failing. */
    public Analysis atEnd(Run run) {
        try {
            ImpactService.Read read = impacts.read(run, ImpactService.spec(run));
            try {
                return new Analysis(read.impact(), draw(read, runs.samples(run.id())), null);
            } catch (RuntimeException e) {
                return new Analysis(read.impact(), null, reason(e));
            }
        } catch (RuntimeException e) {
            return new Analysis(null, null, reason(e));
        }
    }

    private List<Finding> draw(ImpactService.Read read, List<Run.Sample> samples) {
        Run run = read.run();
        if (run.rules().stream().anyMatch(rule -> rule.appliedAt() != null && rule.removedAt() == null)) {
            throw new ResourceConflictException("run " + run.id() + " still has a fault rule in the mesh: its findings are drawn once "
                    + "every rule is removed");
        }
        if (!read.failures().isEmpty()) {
            throw new MetricsUnavailableException("the findings of run " + run.id() + " need the calls before and during the fault, and "
                    + "Prometheus did not answer them: " + read.failures().get(0));
        }
        return FindingRules.of(read.impact(), postures.read(read.impact().target().namespace()), read.spec(), samples);
    }

    private static String reason(RuntimeException e) {
        if (Failure.of(e) == Failure.UNEXPECTED) {
            LOG.warn("Could not draw the findings of a run", e);
            return "the findings could not be drawn; the server log has the details";
        }
        return e.getMessage();
    }
}

package dev.faultline.resilience;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.faultline.Failure;
import dev.faultline.MetricsUnavailableException;
import dev.faultline.ResourceConflictException;
import dev.faultline.mesh.PostureReader;
import dev.faultline.run.Run;
import dev.faultline.run.RunEvent;
import dev.faultline.run.RunService;
import dev.faultline.security.Caller;

/**
 * The findings of a run once its fault is out of the mesh: its impact read from Prometheus, the
 * posture of its namespace read from the cluster, and its guardrails' samples, judged by
 * {@link FindingRules}. Drawn once when the run ends (and, for a run that ended before, the first
 * time they are asked for) and stored with the run, so a report across runs reads them without
 * Prometheus; for those who may see the impact.
 */
@ApplicationScoped
public class FindingService {

    private static final Logger LOG = Logger.getLogger(FindingService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<Finding>> LIST = new TypeReference<>() {
    };

    private final ImpactService impacts;
    private final PostureReader postures;
    private final RunService runs;
    private final ExecutorService drawers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("findings-", 0).factory());
    /** At most this many draws at once: many runs ending together (a halt) must not flood Prometheus and the API server. */
    static final int DRAWS_AT_ONCE = 4;
    private final java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(DRAWS_AT_ONCE);
    /** The draws under way on this instance, so the run's end and its notification draw once. */
    private final Map<String, CompletableFuture<Analysis>> drawing = new ConcurrentHashMap<>();

    FindingService(ImpactService impacts, PostureReader postures, RunService runs) {
        this.impacts = impacts;
        this.postures = postures;
        this.runs = runs;
    }

    /**
     * A run's impact and its findings. {@code findings} is null when they cannot be drawn, and
     * {@code unavailable} then says why; {@code impact} is null when it was not read (stored findings, or a failure).
     */
    public record Analysis(Impact impact, List<Finding> findings, String unavailable) {
    }

    /**
     * The findings as stored, else drawn now (and stored when the run has ended). Fails with 409 while a rule of
     * the run is live or when it wrote none, 503 when Prometheus or the cluster cannot be read.
     */
    public List<Finding> findings(Caller caller, String runId) {
        ImpactService.Seen seen = impacts.seen(caller, runId);
        return stored(runId).orElseGet(() -> drawAndStore(impacts.read(seen.run(), seen.spec())));
    }

    /** Both, for the run page: the impact is shown even when the findings cannot be drawn. */
    public Analysis analyse(Caller caller, String runId) {
        ImpactService.Read read = impacts.read(caller, runId);
        try {
            return new Analysis(read.impact(), stored(runId).orElseGet(() -> drawAndStore(read)), null);
        } catch (RuntimeException e) {
            return new Analysis(read.impact(), null, reason(e));
        }
    }

    /** Draws (once) the findings of each run that ends having written a rule. */
    void onRunEvent(@ObservesAsync RunEvent event) {
        Run run = event.run();
        if (event.type() != RunEvent.Type.STARTED && event.type() != RunEvent.Type.CANCELLED && run != null && run.document() != null
                && run.rules().stream().anyMatch(rule -> rule.appliedAt() != null)) {
            draw(run);
        }
    }

    /** For the notification of a run's end (the run as it ended): the findings, or why there are none; never failing. */
    public Analysis atEnd(Run run) {
        try {
            return draw(run).join();
        } catch (CompletionException e) {
            return new Analysis(null, null, reason(e.getCause() instanceof RuntimeException cause ? cause : e));
        }
    }

    private CompletableFuture<Analysis> draw(Run run) {
        CompletableFuture<Analysis> future = drawing.computeIfAbsent(run.id(), id -> CompletableFuture.supplyAsync(() -> ended(run), drawers));
        future.whenComplete((analysis, failure) -> drawing.remove(run.id(), future));
        return future;
    }

    private Analysis ended(Run run) {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Analysis(null, null, "the findings were not drawn: Faultline is stopping");
        }
        try {
            return endedWithPermit(run);
        } finally {
            permits.release();
        }
    }

    private Analysis endedWithPermit(Run run) {
        Optional<List<Finding>> stored = stored(run.id());
        if (stored.isPresent()) {
            return new Analysis(null, stored.get(), null);
        }
        try {
            ImpactService.Read read = impacts.read(run, ImpactService.spec(run));
            try {
                return new Analysis(read.impact(), drawAndStore(read), null);
            } catch (RuntimeException e) {
                return new Analysis(read.impact(), null, reason(e));
            }
        } catch (RuntimeException e) {
            return new Analysis(null, null, reason(e));
        }
    }

    private Optional<List<Finding>> stored(String runId) {
        return runs.findings(runId).map(json -> parse(runId, json));
    }

    /** Findings as {@link #drawAndStore} stores them. */
    static List<Finding> parse(String runId, String json) {
        try {
            return JSON.readValue(json, LIST);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("run " + runId + " has unreadable findings", e);
        }
    }

    /** Draws the findings; stores them once the run has ended (and answers the stored ones when another draw was first). */
    private List<Finding> drawAndStore(ImpactService.Read read) {
        Run run = read.run();
        if (run.rules().stream().anyMatch(rule -> rule.appliedAt() != null && rule.removedAt() == null)) {
            throw new ResourceConflictException("run " + run.id() + " still has a fault rule in the mesh: its findings are drawn once "
                    + "every rule is removed");
        }
        if (!read.failures().isEmpty()) {
            throw new MetricsUnavailableException("the findings of run " + run.id() + " need the calls before and during the fault, and "
                    + "Prometheus did not answer them: " + read.failures().get(0));
        }
        List<Finding> findings = FindingRules.of(read.impact(), postures.read(read.impact().target().namespace()), read.spec(),
                runs.samples(run.id()));
        if (run.state().isTerminal()) {
            try {
                if (!runs.recordFindings(run.id(), JSON.writeValueAsString(findings))) {
                    return stored(run.id()).orElse(findings);
                }
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return findings;
    }

    private static String reason(RuntimeException e) {
        if (Failure.of(e) == Failure.UNEXPECTED) {
            LOG.warn("Could not draw the findings of a run", e);
            return "the findings could not be drawn; the server log has the details";
        }
        return e.getMessage();
    }

    @PreDestroy
    void stop() {
        drawers.shutdownNow();
    }
}

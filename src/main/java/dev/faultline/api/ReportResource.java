package dev.faultline.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.faultline.resilience.Report;
import dev.faultline.resilience.ReportService;
import dev.faultline.security.Role;

/** The resilience report of an experiment or a namespace across its runs. */
@Path("/api/v1/report")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.VIEWER_NAME)
@Tag(name = "Resilience")
public class ReportResource {

    private final ReportService reports;
    private final Callers callers;

    ReportResource(ReportService reports, Callers callers) {
        this.reports = reports;
        this.callers = callers;
    }

    @GET
    @Operation(operationId = "getResilienceReport", summary = "How an experiment's target or a namespace answered faults across runs",
            description = "The runs of the period (newest first, at most 500) with their verdicts and times to recover, the findings "
                    + "stored with them (open while the experiment's newest run with findings still shows them), and a score from 0 to "
                    + "100 whose explanation lists every point: 100 at the start, up to 50 off for the share of judged runs that broke "
                    + "the steady state, 10 per open finding (at most 30), 10 when the median time to recover is above 30 s. "
                    + "Needs a grant for the namespace.")
    @APIResponse(responseCode = "200", description = "The report")
    @APIResponse(responseCode = "400", description = "Neither or both of experiment and namespace, or a bad since")
    @APIResponse(responseCode = "403", description = "No grant for the namespace")
    @APIResponse(responseCode = "404", description = "No such experiment")
    public Report get(@Parameter(description = "the experiment to report on") @QueryParam("experiment") String experiment,
            @Parameter(description = "the namespace to report on: every experiment's runs there") @QueryParam("namespace") String namespace,
            @Parameter(description = "how far back: P30D (the default), 7d, 12h; at most 366 days") @QueryParam("since") String since) {
        return reports.report(callers.get(), experiment, namespace, since);
    }
}

package dev.faultline.interop;

import static dev.faultline.interop.ChaosToolkitImporter.ISTIO_ACTIONS;

import java.util.ArrayList;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/** The experiment's rollbacks: none maps, but one that removes the imported faults is already Faultline's own recovery. */
final class RollbacksMapping {

    private final Activities activities;
    private final IstioFaults faults;
    private final Substitutions substitutions;
    private final ImportFindings findings;

    RollbacksMapping(Activities activities, IstioFaults faults, Substitutions substitutions, ImportFindings findings) {
        this.activities = activities;
        this.faults = faults;
        this.substitutions = substitutions;
        this.findings = findings;
    }

    /** Lists the {@code rollbacks} of {@code source} that Faultline's recovery does not already do. */
    void map(JsonNode source) {
        JsonNode rollbacks = source.get("rollbacks");
        if (rollbacks == null) {
            return;
        }
        if (!rollbacks.isArray()) {
            findings.error("rollbacks", "must be a list of actions");
            return;
        }
        for (int i = 0; i < rollbacks.size(); i++) {
            String path = "rollbacks[" + i + "]";
            Optional<JsonNode> found = activities.resolve(rollbacks.get(i), path);
            if (found.isEmpty()) {
                continue;
            }
            JsonNode activity = found.get();
            if (Activities.python(activity, ISTIO_ACTIONS, "remove_delay_fault", "remove_abort_fault", "unset_fault")) {
                JsonNode arguments = substitutions.apply(activity.path("provider").get("arguments"), path, new ArrayList<>());
                if (faults.undoneBy(arguments)) {
                    continue; // Faultline removes what it wrote on every path; this rollback is built in
                }
                findings.unmapped(path, "removes a fault this import did not bring in");
                continue;
            }
            findings.unmapped(path, "Faultline's recovery removes its own mesh rules only; this rollback has no equivalent");
        }
    }
}

package dev.faultline.api;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.faultline.experiment.spec.Experiment;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.experiment.spec.Measurement;
import dev.faultline.interop.ChaosToolkitExporter;
import dev.faultline.interop.ChaosToolkitService;
import dev.faultline.interop.Unmapped;
import dev.faultline.run.Measurements;

/** A stored or posted experiment as a Chaos Toolkit experiment, for the resources that export one. */
@ApplicationScoped
class ChaosToolkitExports {

    /** The Chaos Toolkit experiment and what of the Faultline document it could not carry. */
    public record Exported(JsonNode experiment, List<Unmapped> unmapped) {
    }

    private final ChaosToolkitService chaosToolkit;

    ChaosToolkitExports(ChaosToolkitService chaosToolkit) {
        this.chaosToolkit = chaosToolkit;
    }

    /** Golden signals become their PromQL first: Chaos Toolkit knows queries, not Faultline's templates. */
    Exported export(Experiment experiment) {
        ObjectNode tree = ExperimentCodec.toTree(experiment);
        List<Unmapped> notes = new ArrayList<>();
        String namespace = experiment.spec().target().namespace();
        var probes = experiment.spec().steadyState() == null ? List.<dev.faultline.experiment.spec.Probe> of()
                : experiment.spec().steadyState().probes();
        for (int i = 0; i < probes.size(); i++) {
            promql((ObjectNode) tree.path("spec").path("steadyState").path("probes").get(i), probes.get(i).measurement(), namespace,
                    "spec.steadyState.probes[" + i + "]", notes);
        }
        for (int i = 0; i < experiment.spec().guardrails().size(); i++) {
            promql((ObjectNode) tree.path("spec").path("guardrails").get(i), experiment.spec().guardrails().get(i).measurement(), namespace,
                    "spec.guardrails[" + i + "]", notes);
        }
        ChaosToolkitExporter.Result result = chaosToolkit.export(tree);
        notes.addAll(result.unmapped());
        return new Exported(result.experiment(), notes);
    }

    private static void promql(ObjectNode check, Measurement measurement, String namespace, String path, List<Unmapped> notes) {
        if (measurement.goldenSignal() == null) {
            return;
        }
        check.remove("goldenSignal");
        check.putObject("prometheus").put("query", Measurements.promql(measurement, namespace).orElseThrow());
        notes.add(new Unmapped(path + ".goldenSignal", "exported as the PromQL it stands for"));
    }
}

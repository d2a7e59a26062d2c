package dev.faultline.ui;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.vaadin.flow.component.details.Details;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.ListItem;
import com.vaadin.flow.component.html.Pre;
import com.vaadin.flow.component.html.UnorderedList;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;

import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.ExperimentCodec;
import dev.faultline.run.PreviewService;

/**
 * A preview as someone about to run reads it, most serious first: why a run would be refused even
 * with consent, then what else the fault would reach (what a run has to consent to), then the other
 * warnings and what the policy forbids, and last the VirtualService as a line diff from how it is now
 * to how the run would leave it (every line added when the run would create it). The whole resource
 * after is kept under the diff, to copy.
 */
class PreviewReport extends VerticalLayout {

    PreviewReport(PreviewService.Preview preview) {
        setId("preview-body");
        setPadding(false);
        PreviewService.Change change = preview.changes().getFirst();
        add(new Div(change.action().key() + " " + change.kind() + " " + change.namespace() + "/" + change.name()
                + ", route " + preview.rule()));
        if (!preview.refusals().isEmpty()) {
            add(section("preview-refusals", "plan-refusals", "A run would be refused, even with consent", preview.refusals()));
        }
        if (!preview.wider().isEmpty()) {
            add(section("preview-wider", "plan-wider", "A run needs your consent: the fault reaches more than the target",
                    preview.wider()));
        }
        // The plan's warnings repeat its refusals and what it reaches besides; each is said once, above.
        Set<String> others = new LinkedHashSet<>(preview.warnings());
        others.removeAll(preview.refusals());
        others.removeAll(preview.wider());
        if (!others.isEmpty()) {
            add(section("preview-warnings", null, "Warnings", List.copyOf(others)));
        }
        if (!preview.policy().isEmpty()) {
            add(section("preview-policy", "plan-refusals", "The policy forbids",
                    preview.policy().stream().map(v -> v.path() + ": " + v.message()).toList()));
        }
        DiffText diff = new DiffText();
        diff.setId("preview-diff");
        diff.show(yaml(change.before()), yaml(change.after()));
        Pre after = new Pre(yaml(change.after()));
        after.setId("preview-after");
        Details whole = new Details("The whole " + change.kind() + " after", after);
        whole.setWidthFull();
        add(new H4(change.kind() + " " + change.namespace() + "/" + change.name() + (change.before() == null
                ? ": created for the run" : ": now and while the run is live")), diff, whole);
    }

    private static Div section(String id, String className, String heading, List<String> lines) {
        UnorderedList items = new UnorderedList();
        lines.forEach(line -> items.add(new ListItem(line)));
        Div section = new Div(new H4(heading), items);
        section.setId(id);
        section.setWidthFull();
        if (className != null) {
            section.addClassName(className);
        }
        return section;
    }

    private static String yaml(JsonNode resource) {
        return resource == null ? "" : ExperimentCodec.write(resource, DocumentFormat.YAML).stripTrailing();
    }
}

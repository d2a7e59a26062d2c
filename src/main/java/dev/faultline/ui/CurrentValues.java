package dev.faultline.ui;

import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;

import dev.faultline.metrics.QueryResult;
import dev.faultline.metrics.Series;
import dev.faultline.run.CheckKind;
import dev.faultline.run.Measurements.NamedQuery;

/**
 * What each Prometheus query of the experiment gives right now, next to its PromQL, so that whoever
 * sets a threshold sees the value it will be compared with (and a query that returns nothing shows
 * up before the run, not during it). Values are read with Faultline's access to Prometheus, so only
 * for those who could run the experiment; others see the PromQL alone.
 */
class CurrentValues extends Div {

    /** Series listed per query; the rest are counted. */
    private static final int SHOWN_SERIES = 3;

    private final boolean withValues;
    private final BiFunction<String, String, QueryResult> currentValue;

    /**
     * {@code currentValue}: what a PromQL query of an experiment in a namespace gives right now;
     * {@code withValues} false: show the queries only (for someone who may not run experiments).
     */
    CurrentValues(boolean withValues, BiFunction<String, String, QueryResult> currentValue) {
        this.withValues = withValues;
        this.currentValue = currentValue;
        setId("current-values");
        addClassName("current-values");
    }

    /** The queries of the experiment targeting {@code namespace}, each with its value when shown. */
    void show(String namespace, List<NamedQuery> queries) {
        removeAll();
        if (queries.isEmpty()) {
            add(new Span("No Prometheus query yet: choose a guardrail signal and a service, or write probes in YAML."));
            return;
        }
        for (NamedQuery query : queries) {
            Div row = new Div();
            row.addClassName("current-value");
            row.getElement().setAttribute("data-path", query.path());
            Span value = new Span(withValues ? valueOf(namespace, query.promql())
                    : "values are shown to experimenters with a grant for the namespace");
            value.addClassName("value");
            Span promql = new Span(query.promql());
            promql.addClassName("promql");
            String kind = query.kind() == CheckKind.GUARDRAIL ? "guardrail" : "steady state";
            row.add(new Span(kind + " · " + query.name() + ": "), value, promql);
            add(row);
        }
    }

    private String valueOf(String namespace, String promql) {
        try {
            return describe(currentValue.apply(namespace, promql));
        } catch (RuntimeException refused) {
            return "no value: " + UiActions.message(refused);
        }
    }

    private static String describe(QueryResult result) {
        return switch (result) {
            case QueryResult.Values values -> {
                List<Series> series = values.series();
                if (series.size() == 1) {
                    yield format(series.get(0).value());
                }
                StringBuilder text = new StringBuilder();
                series.stream().limit(SHOWN_SERIES).forEach(s -> text.append(text.isEmpty() ? "" : ", ").append(s.describeLabels())
                        .append(' ').append(format(s.value())));
                yield series.size() > SHOWN_SERIES ? text + " and " + (series.size() - SHOWN_SERIES) + " more series" : text.toString();
            }
            case QueryResult.Matrix matrix -> matrix.series().size() + " series";
            case QueryResult.Failure failure -> "no value: " + failure.reason();
        };
    }

    private static String format(double value) {
        return Double.isNaN(value) ? "NaN (no traffic in the window?)" : String.format(Locale.ROOT, "%.4g", value);
    }
}

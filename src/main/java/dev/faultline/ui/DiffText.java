package dev.faultline.ui;

import com.vaadin.flow.component.html.Pre;
import com.vaadin.flow.component.html.Span;

/**
 * A {@link LineDiff} as a person reads it: every line, the added ones marked {@code +} and the removed
 * ones {@code -}, each in a span classed {@code diff-added} or {@code diff-removed} so that the theme
 * colours them and a test can find them.
 */
class DiffText extends Pre {

    DiffText() {
        setWidthFull();
    }

    /** Shows how {@code after} differs from {@code before}; an empty {@code before} shows every line added. */
    void show(String before, String after) {
        removeAll();
        for (LineDiff.Line line : LineDiff.of(before, after)) {
            Span text = new Span((switch (line.kind()) {
                case KEPT -> "  ";
                case ADDED -> "+ ";
                case REMOVED -> "- ";
            }) + line.text() + "\n");
            if (line.kind() != LineDiff.Kind.KEPT) {
                text.addClassName(line.kind() == LineDiff.Kind.ADDED ? "diff-added" : "diff-removed");
            }
            add(text);
        }
    }
}

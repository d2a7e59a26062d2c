package dev.faultline.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.textfield.TextField;

/** A secret Faultline shows once (a new token, a generated password): a dialog to copy it from. */
final class ShownOnce {

    private ShownOnce() {
    }

    static void show(String title, String id, String secret) {
        Dialog dialog = new Dialog();
        dialog.setHeaderTitle(title);
        TextField field = new TextField("Copy it now: it is not shown again");
        field.setId(id);
        field.setValue(secret);
        field.setReadOnly(true);
        field.setWidth("36em");
        dialog.add(field);
        Button done = new Button("Done", click -> dialog.close());
        done.setId(id + "-done");
        dialog.getFooter().add(done);
        dialog.open();
    }
}

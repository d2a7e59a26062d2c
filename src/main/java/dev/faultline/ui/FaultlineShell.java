package dev.faultline.ui;

import com.vaadin.flow.component.page.AppShellConfigurator;
import com.vaadin.flow.component.page.Push;
import com.vaadin.flow.theme.Theme;

/** The application shell: server push (runs update live) and Faultline's theme. */
@Push
@Theme("faultline")
public class FaultlineShell implements AppShellConfigurator {
}

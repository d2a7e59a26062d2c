package dev.faultline.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.HasSize;
import com.vaadin.flow.component.Tag;
import com.vaadin.flow.component.dependency.JsModule;
import com.vaadin.flow.component.dependency.NpmPackage;

/** An Apache ECharts chart (open source, Apache-2.0); the server sends its whole option as JSON. */
@Tag("echarts-chart")
@NpmPackage(value = "echarts", version = "6.1.0")
@JsModule("./echarts-chart.ts")
public class EChart extends Component implements HasSize {

    private ObjectNode option;

    public void setOption(ObjectNode option) {
        this.option = option;
        getElement().setPropertyJson("option", option);
    }

    /** The option last sent, for tests and for views that adjust it. */
    public ObjectNode option() {
        return option;
    }
}

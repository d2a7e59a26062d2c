package dev.faultline.api;

/** The media types the API reads and writes besides JSON. */
public final class ApiMediaTypes {
    public static final String YAML = "application/yaml";
    public static final String X_YAML = "application/x-yaml";
    public static final String TEXT_YAML = "text/yaml";

    private ApiMediaTypes() {
    }
}

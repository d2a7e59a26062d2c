package dev.faultline.experiment.spec;

import java.util.Locale;

/** The two ways a document is written: JSON, or YAML (a superset, as people write in Git). */
public enum DocumentFormat {
    JSON("application/json"),
    YAML("application/yaml");

    private final String mediaType;

    DocumentFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    /** YAML for {@code application/yaml}, {@code application/x-yaml}, {@code text/yaml}; JSON otherwise. */
    public static DocumentFormat ofMediaType(String mediaType) {
        return mediaType != null && mediaType.toLowerCase(Locale.ROOT).contains("yaml") ? YAML : JSON;
    }
}

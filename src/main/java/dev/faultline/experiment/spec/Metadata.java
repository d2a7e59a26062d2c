package dev.faultline.experiment.spec;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({ "name", "team", "description", "tags" })
public record Metadata(String name, String team, String description, List<String> tags) {

    public Metadata {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }
}

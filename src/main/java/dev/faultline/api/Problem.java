package dev.faultline.api;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.faultline.FieldError;

/** An RFC 9457 problem: the one shape of every error the API returns. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";
}

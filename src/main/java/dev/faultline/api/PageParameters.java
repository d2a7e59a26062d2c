package dev.faultline.api;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.resteasy.reactive.RestResponse;

import dev.faultline.Cursor;
import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;
import dev.faultline.PageRequest;

/**
 * {@code limit} and {@code before} of every list, and its answer: a JSON array, with a
 * {@code Link: <…>; rel="next"} header (RFC 8288) when another page follows.
 */
public class PageParameters {

    /** What each list's OpenAPI description says about its Link header. */
    public static final String LINK = "A full page carries `Link: <…?before=…&limit=…>; rel=\"next\"` (RFC 8288), other query "
            + "parameters kept; the last page has none.";

    @QueryParam("limit")
    @Parameter(description = "Items per page, 1 to 1000", schema = @Schema(type = SchemaType.INTEGER, defaultValue = "100",
            minimum = "1", maximum = "1000"))
    Integer limit;

    @QueryParam(Cursor.PARAMETER)
    @Parameter(description = "Opaque cursor from the previous page's Link header: the page starts after the item it names")
    String before;

    @Context
    UriInfo uri;

    /** The page asked for; a limit out of range or a cursor that does not read back is a 400 naming the field. */
    public PageRequest request() {
        return request(Cursor::decode);
    }

    /** As {@link #request()}, the cursor read by {@code decode} (a list that accepts an older form of cursor too). */
    public PageRequest request(Function<String, Cursor> decode) {
        int size = size();
        return new PageRequest(before == null || before.isBlank() ? Optional.empty() : Optional.of(decode.apply(before)), size);
    }

    private int size() {
        int size = limit == null ? PageRequest.DEFAULT_LIMIT : limit;
        Optional<FieldError> wrong = limitError(size);
        if (wrong.isPresent()) {
            throw new InvalidDocumentException(List.of(wrong.get()));
        }
        return size;
    }

    /** What is wrong with {@code size} as the {@code limit} of a page, if anything. */
    static Optional<FieldError> limitError(int size) {
        return size < 1 || size > PageRequest.MAX_LIMIT
                ? Optional.of(new FieldError("limit", "must be between 1 and " + PageRequest.MAX_LIMIT + ", found " + size))
                : Optional.empty();
    }

    /** The page as a JSON array, with a Link to the next one when it is full and more follow. */
    public <T> RestResponse<List<T>> respond(PageRequest.Page<T> page) {
        return respond(uri, Cursor.PARAMETER, page, size());
    }

    /** {@code page} as a JSON array, with a Link that repeats this request with {@code parameter} set to where the next page starts. */
    static <T> RestResponse<List<T>> respond(UriInfo uri, String parameter, PageRequest.Page<T> page, int limit) {
        RestResponse.ResponseBuilder<List<T>> answer = RestResponse.ResponseBuilder.ok(page.items());
        page.next().ifPresent(next -> answer.header(HttpHeaders.LINK, "<" + uri.getRequestUriBuilder()
                .replaceQueryParam(parameter, next.encode()).replaceQueryParam("limit", limit).build() + ">; rel=\"next\""));
        return answer.build();
    }
}

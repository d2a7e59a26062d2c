package dev.faultline.experiment.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import org.yaml.snakeyaml.LoaderOptions;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import dev.faultline.FieldReader;
import dev.faultline.FieldError;
import dev.faultline.InvalidDocumentException;

/**
 * Reads Experiment documents from JSON or YAML, validating every field, and writes them back.
 * Whatever the input, {@link #decode} either returns a valid {@link Experiment} or throws
 * {@link InvalidDocumentException} listing each offending field.
 */
public final class ExperimentCodec {

    /** Path used for errors that concern the document as a whole (syntax, size). */
    public static final String DOCUMENT = "(document)";
    public static final int MAX_DOCUMENT_CHARS = 512 * 1024;

    private static final ObjectMapper JSON = configure(new ObjectMapper());
    private static final ObjectMapper YAML = yamlMapper();

    private ExperimentCodec() {
    }

    public static Experiment decode(String text, DocumentFormat format) {
        return read(parse(text, format));
    }

    /** Reads a document already parsed (a run's stored copy, say), by the same rules as one read from text. */
    public static Experiment decode(JsonNode tree) {
        return read(tree);
    }

    /** Every error of a document tree (an import's draft, say), by the same rules as {@link #decode}; empty when valid. */
    public static List<FieldError> check(JsonNode tree) {
        List<FieldError> errors = new ArrayList<>();
        ExperimentReader.read(tree, errors);
        return List.copyOf(errors);
    }

    /** Checks a document built in code (a form, an import) by the same rules as one read from text. */
    public static Experiment validate(Experiment experiment) {
        return read(toTree(experiment));
    }

    public static String encode(Experiment experiment, DocumentFormat format) {
        return write(experiment, format);
    }

    /** Any value (an experiment, or a representation that embeds one) in the given format. */
    public static String write(Object value, DocumentFormat format) {
        try {
            return (format == DocumentFormat.YAML ? YAML : JSON).writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Could not write " + value.getClass().getSimpleName(), e);
        }
    }

    public static ObjectNode toTree(Experiment experiment) {
        return JSON.valueToTree(experiment);
    }

    /** The canonical JSON of a document: equal documents give equal text. */
    public static String canonicalJson(Experiment experiment) {
        try {
            return JSON.writeValueAsString(experiment);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Experiment read(JsonNode tree) {
        List<FieldError> errors = new ArrayList<>();
        Experiment experiment = ExperimentReader.read(tree, errors);
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
        return experiment;
    }

    /** Parses one JSON or YAML document into a tree, or fails with the line and column of the problem. */
    public static JsonNode parse(String text, DocumentFormat format) {
        if (text == null || text.isBlank()) {
            throw invalid("is empty; send an Experiment document as JSON or YAML");
        }
        if (text.length() > MAX_DOCUMENT_CHARS) {
            throw invalid("is too large: " + text.length() + " characters, at most " + MAX_DOCUMENT_CHARS);
        }
        ObjectMapper mapper = format == DocumentFormat.YAML ? YAML : JSON;
        try (JsonParser parser = mapper.createParser(text)) {
            JsonNode tree = mapper.readTree(parser);
            if (tree == null || tree.isMissingNode()) {
                throw invalid("is empty; send an Experiment document as JSON or YAML");
            }
            if (parser.nextToken() != null) {
                throw invalid("holds more than one document; send one Experiment per request");
            }
            return tree;
        } catch (JsonProcessingException e) {
            throw invalid("is not valid " + format.name() + ": " + location(e.getLocation()) + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String location(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? ""
                : "line " + location.getLineNr() + ", column " + location.getColumnNr() + ": ";
    }

    private static String firstLine(String message) {
        String line = message == null ? "syntax error" : message.lines().findFirst().orElse("syntax error");
        return FieldReader.abbreviate(line.length() > 200 ? line.substring(0, 200) : line);
    }

    private static InvalidDocumentException invalid(String message) {
        return new InvalidDocumentException(List.of(new FieldError(DOCUMENT, message)));
    }

    private static ObjectMapper yamlMapper() {
        LoaderOptions loader = new LoaderOptions();
        loader.setAllowDuplicateKeys(false);
        loader.setMaxAliasesForCollections(20);
        loader.setAllowRecursiveKeys(false);
        loader.setCodePointLimit(MAX_DOCUMENT_CHARS * 2);
        YAMLFactory factory = YAMLFactory.builder()
                .loaderOptions(loader)
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .build();
        return configure(new YAMLMapper(factory));
    }

    private static ObjectMapper configure(ObjectMapper mapper) {
        return mapper.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature())
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }
}

package dev.faultline.api;

import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.ext.Provider;

import dev.faultline.experiment.spec.DocumentFormat;
import dev.faultline.experiment.spec.ExperimentCodec;

/** Answers in YAML when the client asks for {@code application/yaml}. */
@Provider
@Produces({ ApiMediaTypes.YAML, ApiMediaTypes.X_YAML, ApiMediaTypes.TEXT_YAML })
public class YamlBodyWriter implements MessageBodyWriter<Object> {

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return mediaType.getSubtype().contains("yaml");
    }

    @Override
    public void writeTo(Object value, Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType,
            MultivaluedMap<String, Object> headers, OutputStream out) throws java.io.IOException {
        out.write(ExperimentCodec.write(value, DocumentFormat.YAML).getBytes(StandardCharsets.UTF_8));
    }
}

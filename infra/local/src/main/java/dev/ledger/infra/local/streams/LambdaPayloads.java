package dev.ledger.infra.local.streams;

import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The event document Lambda sends for a batch and the response it reads back, through the same
 * serializers the Lambda Java runtime uses ({@code aws-lambda-java-serialization}): the handler's
 * event is deserialized from the JSON Lambda would send, and its result serialized to the JSON
 * Lambda would read, so a handler sees here exactly what it sees on AWS.
 */
final class LambdaPayloads {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LambdaPayloads() {
    }

    /** {@code {"Records": [...]}}. */
    static byte[] event(List<StreamRecord> records) {
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        ArrayNode array = event.putArray("Records");
        records.forEach(record -> array.add(record.lambdaRecord()));
        try {
            return JSON.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The event as the handler's declared input type, deserialized as the Lambda Java runtime does. */
    static Object deserialize(byte[] json, Type inputType, ClassLoader loader) {
        Class<?> raw = raw(inputType);
        if (raw == InputStream.class) {
            return new ByteArrayInputStream(json);
        }
        PojoSerializer<?> serializer = serializer(raw, loader);
        return serializer.fromJson(new ByteArrayInputStream(json));
    }

    /** The handler's result as the JSON document Lambda reads; null stays null. */
    static JsonNode serialize(Object result, ClassLoader loader) {
        if (result == null) {
            return null;
        }
        try {
            if (result instanceof String text) {
                // A String result is sent as a JSON string; Lambda reads a response object from it only if it is one.
                return JSON.readTree(JSON.writeValueAsString(text));
            }
            @SuppressWarnings("unchecked")
            PojoSerializer<Object> serializer = (PojoSerializer<Object>) serializer(result.getClass(), loader);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            serializer.toJson(result, out);
            return JSON.readTree(new String(out.toByteArray(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the function's result as JSON", e);
        }
    }

    private static PojoSerializer<?> serializer(Class<?> type, ClassLoader loader) {
        return LambdaEventSerializers.isLambdaSupportedEvent(type.getName())
                ? LambdaEventSerializers.serializerFor(type, loader)
                : JacksonFactory.getInstance().getSerializer(type);
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> plain) {
            return plain;
        }
        if (type instanceof ParameterizedType parameterized) {
            return (Class<?>) parameterized.getRawType();
        }
        throw new IllegalArgumentException("Cannot deserialize an event into " + type.getTypeName());
    }
}

package dev.ledger.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The one canonical byte form of a JSON value, used for hashing: UTF-8, no whitespace, object keys
 * sorted by their UTF-16 code units (as Java's {@code String.compareTo}), only strings, integers,
 * booleans and null as scalars (amounts are decimal strings, never floating-point numbers). An
 * auditor can reproduce it in any language, for example Python's
 * {@code json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)} for ASCII keys.
 */
public final class CanonicalJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CanonicalJson() {
    }

    public static byte[] bytes(JsonNode value) {
        return string(value).getBytes(StandardCharsets.UTF_8);
    }

    public static String string(JsonNode value) {
        try {
            return MAPPER.writeValueAsString(sorted(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    public static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("stored JSON is not valid: " + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode sorted(JsonNode value) {
        if (value.isObject()) {
            List<String> names = new ArrayList<>();
            value.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            ObjectNode result = JsonNodeFactory.instance.objectNode();
            for (String name : names) {
                result.set(name, sorted(value.get(name)));
            }
            return result;
        }
        if (value.isArray()) {
            var result = JsonNodeFactory.instance.arrayNode();
            value.forEach(element -> result.add(sorted(element)));
            return result;
        }
        if (value.isNumber() && !value.isIntegralNumber()) {
            throw new IllegalArgumentException("canonical JSON holds no floating-point numbers: " + value);
        }
        return value;
    }
}

package dev.ledger.projections;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The JSON the read tables keep in a string attribute ({@code state}): compact, object keys sorted,
 * so that the same state is always the same bytes (a rebuilt item equals the one a consumer wrote).
 * The read side's own: it follows no codec of the write side, and a field it needs that an item
 * lacks is an error naming the item's format, never a silent default.
 */
final class ItemJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ItemJson() {
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(sorted(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    /** @param what the item, for the error: e.g. "balances item alice" */
    static JsonNode read(String json, String what) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || !node.isObject()) {
                throw new StoredFormException(what + " holds no JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new StoredFormException(what + " holds no valid JSON: " + e.getOriginalMessage());
        }
    }

    /** A JSON array an item holds as a string (a history entry's transaction entries). */
    static com.fasterxml.jackson.databind.node.ArrayNode readArray(String json, String what) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || !node.isArray()) {
                throw new StoredFormException(what + " holds no JSON array");
            }
            return (com.fasterxml.jackson.databind.node.ArrayNode) node;
        } catch (JsonProcessingException e) {
            throw new StoredFormException(what + " holds no valid JSON: " + e.getOriginalMessage());
        }
    }

    /** A field the format requires (it may hold null). */
    static JsonNode field(JsonNode node, String name, String what) {
        JsonNode value = node.get(name);
        if (value == null) {
            throw new StoredFormException(what + " lacks the field '" + name + "'");
        }
        return value;
    }

    static String text(JsonNode node, String name, String what) {
        JsonNode value = field(node, name, what);
        if (!value.isTextual()) {
            throw new StoredFormException(what + ": field '" + name + "' is not text");
        }
        return value.asText();
    }

    static long number(JsonNode node, String name, String what) {
        JsonNode value = field(node, name, what);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new StoredFormException(what + ": field '" + name + "' is not a whole number");
        }
        return value.asLong();
    }

    /** A field the format may leave out (issue 16's {@code effectiveAt}): null when absent, else an instant. */
    static java.time.Instant optionalInstant(JsonNode node, String name, String what) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        try {
            return java.time.Instant.parse(text(node, name, what));
        } catch (java.time.DateTimeException notAnInstant) {
            throw new StoredFormException(what + ": field '" + name + "' is not an ISO-8601 instant");
        }
    }

    /**
     * An item as named, printable fields, for comparisons ({@code replay verify}, tests): every
     * attribute but the key, with the JSON object in {@code jsonAttribute} spread into its fields
     * (kept whole under its own name if it is not one).
     */
    static Map<String, String> fields(Map<String, AttributeValue> item, String jsonAttribute) {
        Map<String, String> fields = new TreeMap<>();
        item.forEach((name, value) -> {
            if (name.equals(ProjectionTables.ID) || name.equals(ProjectionTables.SK)) {
                return;
            }
            if (name.equals(jsonAttribute) && value.s() != null) {
                try {
                    JsonNode node = MAPPER.readTree(value.s());
                    if (node != null && node.isObject()) {
                        node.fields().forEachRemaining(f -> fields.put(f.getKey(),
                                f.getValue().isTextual() ? f.getValue().asText() : write(f.getValue())));
                        return;
                    }
                } catch (JsonProcessingException notJson) {
                    // compared whole, below
                }
            }
            fields.put(name, printable(value));
        });
        return fields;
    }

    /** An attribute as text: a string or number as it is, a list or map as its elements. */
    static String printable(AttributeValue value) {
        if (value.s() != null) {
            return value.s();
        }
        if (value.n() != null) {
            return value.n();
        }
        if (value.bool() != null) {
            return value.bool().toString();
        }
        if (value.hasL()) {
            List<String> parts = new ArrayList<>();
            value.l().forEach(v -> parts.add(printable(v)));
            return parts.toString();
        }
        if (value.hasM()) {
            Map<String, String> parts = new TreeMap<>();
            value.m().forEach((k, v) -> parts.put(k, printable(v)));
            return parts.toString();
        }
        return value.toString();
    }

    private static JsonNode sorted(JsonNode value) {
        if (value.isObject()) {
            List<String> names = new ArrayList<>();
            value.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            ObjectNode result = JsonNodeFactory.instance.objectNode();
            names.forEach(name -> result.set(name, sorted(value.get(name))));
            return result;
        }
        if (value.isArray()) {
            var result = JsonNodeFactory.instance.arrayNode();
            value.forEach(element -> result.add(sorted(element)));
            return result;
        }
        return value;
    }
}

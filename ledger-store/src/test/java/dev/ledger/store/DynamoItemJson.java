package dev.ledger.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A DynamoDB item as one line of DynamoDB's own attribute-value JSON ({@code {"pk":{"S":"..."},"sk":{"N":"3"},...}},
 * the shape the AWS CLI prints), so a committed copy of a table depends on none of this project's classes.
 * Keys come first ({@code pk}, then {@code sk}), then the other attributes by name: the same item is
 * always the same line.
 */
final class DynamoItemJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DynamoItemJson() {
    }

    static String write(Map<String, AttributeValue> item) {
        ObjectNode line = JsonNodeFactory.instance.objectNode();
        List<String> names = new ArrayList<>(item.keySet());
        names.sort((a, b) -> rank(a) != rank(b) ? Integer.compare(rank(a), rank(b)) : a.compareTo(b));
        for (String name : names) {
            line.set(name, value(item.get(name), name));
        }
        try {
            return JSON.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    static Map<String, AttributeValue> read(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON item: " + line, e);
        }
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        node.fields().forEachRemaining(field -> item.put(field.getKey(), attribute(field.getValue(), field.getKey())));
        return item;
    }

    private static int rank(String name) {
        return switch (name) {
            case EventsTable.PK -> 0;
            case EventsTable.SK -> 1;
            default -> 2;
        };
    }

    private static JsonNode value(AttributeValue value, String name) {
        ObjectNode typed = JsonNodeFactory.instance.objectNode();
        switch (value.type()) {
            case S -> typed.put("S", value.s());
            case N -> typed.put("N", value.n());
            case BOOL -> typed.put("BOOL", value.bool());
            case NUL -> typed.put("NULL", true);
            case L -> {
                var list = typed.putArray("L");
                value.l().forEach(element -> list.add(value(element, name)));
            }
            case M -> {
                ObjectNode map = typed.putObject("M");
                value.m().keySet().stream().sorted().forEach(key -> map.set(key, value(value.m().get(key), name)));
            }
            default -> throw new IllegalArgumentException("attribute " + name + " has type " + value.type()
                    + ", which this copy of a table does not write");
        }
        return typed;
    }

    private static AttributeValue attribute(JsonNode typed, String name) {
        Iterator<String> types = typed.fieldNames();
        if (!typed.isObject() || typed.size() != 1) {
            throw new IllegalArgumentException("attribute " + name + " is not {\"<type>\": value}: " + typed);
        }
        String type = types.next();
        JsonNode value = typed.get(type);
        return switch (type) {
            case "S" -> AttributeValue.fromS(requireText(value, name));
            case "N" -> AttributeValue.fromN(requireText(value, name));
            case "BOOL" -> AttributeValue.fromBool(value.booleanValue());
            case "NULL" -> AttributeValue.fromNul(true);
            case "L" -> {
                List<AttributeValue> list = new ArrayList<>();
                value.forEach(element -> list.add(attribute(element, name)));
                yield AttributeValue.fromL(list);
            }
            case "M" -> {
                Map<String, AttributeValue> map = new LinkedHashMap<>();
                value.fields().forEachRemaining(field -> map.put(field.getKey(), attribute(field.getValue(), name)));
                yield AttributeValue.fromM(map);
            }
            default -> throw new IllegalArgumentException("attribute " + name + " has type " + type
                    + ", which this copy of a table does not read");
        };
    }

    private static String requireText(JsonNode value, String name) {
        if (!value.isTextual()) {
            throw new IllegalArgumentException("attribute " + name + " must hold a string: " + value);
        }
        return value.asText();
    }
}

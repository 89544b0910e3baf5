package dev.ledger.infra;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * Reads a CloudFormation YAML template into a JSON tree in CloudFormation's long form: a
 * short-form tag ({@code !Ref X}, {@code !GetAtt A.B}, {@code !Sub ...}, {@code !If [...]}...)
 * becomes the object CloudFormation's JSON syntax uses ({@code {"Ref": "X"}},
 * {@code {"Fn::GetAtt": ["A", "B"]}}, {@code {"Fn::Sub": ...}}...). A plain YAML reader would keep
 * the tagged value and silently drop the tag, turning {@code !Ref EventsTable} into the string
 * "EventsTable".
 */
final class TemplateYaml {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final YAMLFactory YAML = new YAMLFactory();

    /** The short forms CloudFormation defines ({@code !Ref}, {@code !GetAtt} and {@code !Condition} are special). */
    private static final Set<String> FUNCTIONS = Set.of("Base64", "Cidr", "FindInMap", "GetAZs", "ImportValue",
            "Join", "Select", "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or", "ToJsonString",
            "Length");

    private TemplateYaml() {
    }

    static ObjectNode parse(String yaml) {
        try (YAMLParser parser = YAML.createParser(yaml)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("A template is a YAML mapping at the top level");
            }
            return (ObjectNode) value(parser);
        } catch (IOException e) {
            throw new UncheckedIOException("Not a readable YAML template: " + e.getMessage(), e);
        }
    }

    /** The value at the parser's current token, children included; the parser ends on its last token. */
    private static JsonNode value(YAMLParser parser) throws IOException {
        // The tag belongs to the event just read: take it before moving into the children.
        String tag = parser.getTypeId();
        JsonNode node = switch (parser.currentToken()) {
            case START_OBJECT -> {
                ObjectNode object = NODES.objectNode();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    if (object.has(name)) {
                        throw new IllegalArgumentException("Duplicate key '" + name + "' at " + location(parser));
                    }
                    object.set(name, value(parser));
                }
                yield object;
            }
            case START_ARRAY -> {
                ArrayNode array = NODES.arrayNode();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(value(parser));
                }
                yield array;
            }
            case VALUE_STRING -> NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT -> NODES.numberNode(parser.getBigIntegerValue());
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDecimalValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new IllegalArgumentException("Unexpected " + parser.currentToken() + " at " + location(parser));
        };
        return tag == null ? node : intrinsic(tag, node, parser);
    }

    private static JsonNode intrinsic(String tag, JsonNode value, YAMLParser parser) {
        if (tag.startsWith("tag:yaml.org,2002:")) {
            return value; // a standard YAML tag such as !!str: the value is already typed
        }
        ObjectNode longForm = NODES.objectNode();
        switch (tag) {
            case "Ref" -> longForm.set("Ref", value);
            case "Condition" -> longForm.set("Condition", value);
            case "GetAtt" -> {
                if (value.isTextual()) {
                    String text = value.asText();
                    int dot = text.indexOf('.');
                    if (dot <= 0 || dot == text.length() - 1) {
                        throw new IllegalArgumentException("!GetAtt needs LogicalId.Attribute, not '" + text + "' at "
                                + location(parser));
                    }
                    longForm.set("Fn::GetAtt", NODES.arrayNode().add(text.substring(0, dot)).add(text.substring(dot + 1)));
                } else {
                    longForm.set("Fn::GetAtt", value);
                }
            }
            default -> {
                if (!FUNCTIONS.contains(tag)) {
                    throw new IllegalArgumentException("Unknown tag !" + tag + " at " + location(parser));
                }
                longForm.set("Fn::" + tag, value);
            }
        }
        return longForm;
    }

    private static String location(YAMLParser parser) {
        return "line " + parser.currentLocation().getLineNr();
    }
}

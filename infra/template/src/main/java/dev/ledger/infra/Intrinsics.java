package dev.ledger.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CloudFormation's intrinsic functions over a template's JSON tree (long form, as
 * {@link TemplateYaml} produces it): which names an expression refers to, a readable symbolic
 * form for checks such as "this policy names only the events table", and evaluation against the
 * facts of a deployed stack.
 */
public final class Intrinsics {

    /** {@code ${Name}}, {@code ${Name.Attribute}}; {@code ${!Literal}} is not a reference. */
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^!}][^}]*)}");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Intrinsics() {
    }

    /** How names in an expression get their values. */
    public interface Resolver {
        /** The value of {@code Ref name}: a parameter, a pseudo parameter or a resource's physical id. */
        JsonNode ref(String name);

        /** The value of {@code Fn::GetAtt [logicalId, attribute]}. */
        JsonNode getAtt(String logicalId, String attribute);

        /** Whether the named condition holds. */
        boolean condition(String name);
    }

    /** True if the node is one intrinsic function call ({@code {"Ref": ...}}, {@code {"Fn::Sub": ...}}...). */
    public static boolean isCall(JsonNode node) {
        if (node == null || !node.isObject() || node.size() != 1) {
            return false;
        }
        String name = node.fieldNames().next();
        return name.equals("Ref") || name.equals("Condition") || name.startsWith("Fn::");
    }

    /**
     * Every name the expression refers to through {@code Ref}, {@code Fn::GetAtt} and
     * {@code Fn::Sub} variables: parameters, pseudo parameters ({@code AWS::Region}...) and logical
     * ids of resources, in order of appearance.
     */
    public static Set<String> references(JsonNode node) {
        Set<String> names = new LinkedHashSet<>();
        collectReferences(node, names);
        return names;
    }

    private static void collectReferences(JsonNode node, Set<String> names) {
        if (node == null) {
            return;
        }
        if (node.isObject() && node.size() == 1 && node.has("Ref") && node.get("Ref").isTextual()) {
            names.add(node.get("Ref").asText());
        } else if (node.isObject() && node.size() == 1 && node.has("Fn::GetAtt")) {
            JsonNode getAtt = node.get("Fn::GetAtt");
            if (getAtt.isArray() && getAtt.size() > 0 && getAtt.get(0).isTextual()) {
                names.add(getAtt.get(0).asText());
            }
        } else if (node.isObject() && node.size() == 1 && node.has("Fn::Sub")) {
            JsonNode sub = node.get("Fn::Sub");
            JsonNode text = sub.isArray() ? sub.get(0) : sub;
            Set<String> local = sub.isArray() && sub.size() > 1 && sub.get(1).isObject()
                    ? iterable(sub.get(1).fieldNames())
                    : Set.of();
            if (text != null && text.isTextual()) {
                Matcher matcher = SUB_VARIABLE.matcher(text.asText());
                while (matcher.find()) {
                    String variable = matcher.group(1);
                    String name = variable.contains(".") && !variable.startsWith("AWS::")
                            ? variable.substring(0, variable.indexOf('.'))
                            : variable;
                    if (!local.contains(name)) {
                        names.add(name);
                    }
                }
            }
            if (sub.isArray() && sub.size() > 1) {
                collectReferences(sub.get(1), names);
            }
        } else if (node.isContainerNode()) {
            node.forEach(child -> collectReferences(child, names));
        }
    }

    /**
     * A readable form that keeps references symbolic: {@code !Ref X} is {@code ${X}},
     * {@code !GetAtt X.Arn} is {@code ${X.Arn}}, {@code !Sub "${X.Arn}/index/i"} is itself,
     * {@code !Join} joins the parts' symbolic forms. Plain text is itself; anything else is its JSON.
     */
    public static String symbolic(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "";
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isObject() && node.size() == 1) {
            if (node.has("Ref") && node.get("Ref").isTextual()) {
                return "${" + node.get("Ref").asText() + "}";
            }
            if (node.has("Fn::GetAtt") && node.get("Fn::GetAtt").isArray() && node.get("Fn::GetAtt").size() == 2) {
                JsonNode getAtt = node.get("Fn::GetAtt");
                return "${" + getAtt.get(0).asText() + "." + symbolic(getAtt.get(1)) + "}";
            }
            if (node.has("Fn::Sub")) {
                JsonNode sub = node.get("Fn::Sub");
                if (sub.isTextual()) {
                    return sub.asText();
                }
                if (sub.isArray() && sub.size() == 2 && sub.get(1).isObject()) {
                    String text = sub.get(0).asText();
                    for (Iterator<Map.Entry<String, JsonNode>> it = sub.get(1).fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> variable = it.next();
                        text = text.replace("${" + variable.getKey() + "}", symbolic(variable.getValue()));
                    }
                    return text;
                }
            }
            if (node.has("Fn::Join") && node.get("Fn::Join").isArray() && node.get("Fn::Join").size() == 2) {
                JsonNode join = node.get("Fn::Join");
                List<String> parts = new ArrayList<>();
                join.get(1).forEach(part -> parts.add(symbolic(part)));
                return String.join(join.get(0).asText(), parts);
            }
        }
        return node.toString();
    }

    /**
     * Evaluates every intrinsic function in the tree. {@code AWS::NoValue} removes the property or
     * list element it stands for; at the top level it gives a {@link MissingNode}. Fn::FindInMap,
     * Fn::ImportValue, Fn::GetAZs, Fn::Cidr and Fn::Transform are not evaluated (the template uses none).
     */
    public static JsonNode evaluate(JsonNode node, Resolver resolver) {
        if (node == null || node.isMissingNode()) {
            return MissingNode.getInstance();
        }
        if (node.isArray()) {
            ArrayNode result = NODES.arrayNode();
            for (JsonNode element : node) {
                JsonNode value = evaluate(element, resolver);
                if (!value.isMissingNode()) {
                    result.add(value);
                }
            }
            return result;
        }
        if (!node.isObject()) {
            return node;
        }
        if (isCall(node)) {
            String function = node.fieldNames().next();
            return call(function, node.get(function), resolver);
        }
        ObjectNode result = NODES.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = evaluate(field.getValue(), resolver);
            if (!value.isMissingNode()) {
                result.set(field.getKey(), value);
            }
        }
        return result;
    }

    /**
     * The tree with every {@code Fn::If} replaced by the branch its condition picks, and nothing else
     * evaluated: references to resources stay references. For a property such as a route's
     * {@code AuthorizerId: !If [Jwt, !Ref JwtAuthorizer, !Ref HttpApiAuthorizer]}, read before any
     * resource exists. A branch of {@code AWS::NoValue} gives a {@link MissingNode}.
     */
    public static JsonNode chooseBranches(JsonNode node, Resolver resolver) {
        if (node == null || node.isMissingNode()) {
            return MissingNode.getInstance();
        }
        if (node.isObject() && node.size() == 1 && node.has("Fn::If")) {
            JsonNode argument = node.get("Fn::If");
            requireList("Fn::If", argument, 3);
            JsonNode branch = argument.get(resolver.condition(argument.get(0).asText()) ? 1 : 2);
            boolean noValue = branch.isObject() && branch.size() == 1 && "AWS::NoValue".equals(branch.path("Ref").asText());
            return noValue ? MissingNode.getInstance() : chooseBranches(branch, resolver);
        }
        if (node.isArray()) {
            ArrayNode result = NODES.arrayNode();
            node.forEach(element -> {
                JsonNode value = chooseBranches(element, resolver);
                if (!value.isMissingNode()) {
                    result.add(value);
                }
            });
            return result;
        }
        if (node.isObject()) {
            ObjectNode result = NODES.objectNode();
            node.fields().forEachRemaining(field -> {
                JsonNode value = chooseBranches(field.getValue(), resolver);
                if (!value.isMissingNode()) {
                    result.set(field.getKey(), value);
                }
            });
            return result;
        }
        return node;
    }

    /** Evaluates a condition expression (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition). */
    public static boolean evaluateCondition(JsonNode node, Resolver resolver) {
        JsonNode value = evaluate(node, resolver);
        if (!value.isBoolean()) {
            throw new IllegalArgumentException("A condition must evaluate to true or false, not " + value);
        }
        return value.booleanValue();
    }

    private static JsonNode call(String function, JsonNode argument, Resolver resolver) {
        switch (function) {
            case "Ref" -> {
                String name = argument.asText();
                return name.equals("AWS::NoValue") ? MissingNode.getInstance() : resolver.ref(name);
            }
            case "Condition" -> {
                return NODES.booleanNode(resolver.condition(argument.asText()));
            }
            case "Fn::GetAtt" -> {
                requireList(function, argument, 2);
                return resolver.getAtt(argument.get(0).asText(), evaluate(argument.get(1), resolver).asText());
            }
            case "Fn::Sub" -> {
                return NODES.textNode(sub(argument, resolver));
            }
            case "Fn::Join" -> {
                requireList(function, argument, 2);
                List<String> parts = new ArrayList<>();
                evaluate(argument.get(1), resolver).forEach(part -> parts.add(part.asText()));
                return NODES.textNode(String.join(argument.get(0).asText(), parts));
            }
            case "Fn::Select" -> {
                requireList(function, argument, 2);
                int index = evaluate(argument.get(0), resolver).asInt();
                JsonNode list = evaluate(argument.get(1), resolver);
                if (!list.isArray() || index < 0 || index >= list.size()) {
                    throw new IllegalArgumentException("Fn::Select index " + index + " is outside " + list);
                }
                return list.get(index);
            }
            case "Fn::Split" -> {
                requireList(function, argument, 2);
                String delimiter = argument.get(0).asText();
                ArrayNode parts = NODES.arrayNode();
                for (String part : evaluate(argument.get(1), resolver).asText().split(Pattern.quote(delimiter), -1)) {
                    parts.add(part);
                }
                return parts;
            }
            case "Fn::Base64" -> {
                String text = evaluate(argument, resolver).asText();
                return NODES.textNode(java.util.Base64.getEncoder()
                        .encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
            case "Fn::If" -> {
                requireList(function, argument, 3);
                boolean holds = resolver.condition(argument.get(0).asText());
                return evaluate(argument.get(holds ? 1 : 2), resolver);
            }
            case "Fn::Equals" -> {
                requireList(function, argument, 2);
                return NODES.booleanNode(scalar(evaluate(argument.get(0), resolver))
                        .equals(scalar(evaluate(argument.get(1), resolver))));
            }
            case "Fn::Not" -> {
                requireList(function, argument, 1);
                return NODES.booleanNode(!evaluateCondition(argument.get(0), resolver));
            }
            case "Fn::And" -> {
                boolean all = true;
                for (JsonNode condition : argument) {
                    all &= evaluateCondition(condition, resolver);
                }
                return NODES.booleanNode(all);
            }
            case "Fn::Or" -> {
                boolean any = false;
                for (JsonNode condition : argument) {
                    any |= evaluateCondition(condition, resolver);
                }
                return NODES.booleanNode(any);
            }
            default -> throw new UnsupportedOperationException(function + " is not evaluated here");
        }
    }

    private static String sub(JsonNode argument, Resolver resolver) {
        String text;
        Map<String, String> local = new java.util.HashMap<>();
        if (argument.isTextual()) {
            text = argument.asText();
        } else {
            requireList("Fn::Sub", argument, 2);
            text = argument.get(0).asText();
            for (Iterator<Map.Entry<String, JsonNode>> it = argument.get(1).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> variable = it.next();
                local.put(variable.getKey(), scalar(evaluate(variable.getValue(), resolver)));
            }
        }
        StringBuilder result = new StringBuilder();
        int at = 0;
        while (at < text.length()) {
            int start = text.indexOf("${", at);
            if (start < 0) {
                result.append(text, at, text.length());
                break;
            }
            int end = text.indexOf('}', start);
            if (end < 0) {
                throw new IllegalArgumentException("Unclosed ${ in Fn::Sub: " + text);
            }
            result.append(text, at, start);
            String variable = text.substring(start + 2, end);
            if (variable.startsWith("!")) {
                result.append("${").append(variable.substring(1)).append('}');
            } else if (local.containsKey(variable)) {
                result.append(local.get(variable));
            } else if (variable.contains(".") && !variable.startsWith("AWS::")) {
                int dot = variable.indexOf('.');
                result.append(scalar(resolver.getAtt(variable.substring(0, dot), variable.substring(dot + 1))));
            } else {
                result.append(scalar(resolver.ref(variable)));
            }
            at = end + 1;
        }
        return result.toString();
    }

    private static String scalar(JsonNode value) {
        if (value.isValueNode()) {
            return value.asText();
        }
        throw new IllegalArgumentException("Expected a single value, not " + value);
    }

    private static void requireList(String function, JsonNode argument, int size) {
        if (!argument.isArray() || argument.size() != size) {
            throw new IllegalArgumentException(function + " takes a list of " + size + ", not " + argument);
        }
    }

    private static Set<String> iterable(Iterator<String> names) {
        Set<String> set = new LinkedHashSet<>();
        names.forEachRemaining(set::add);
        return set;
    }
}

package dev.ledger.infra.local.jwt;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A verified token's claims as API Gateway hands them to the function in
 * {@code requestContext.authorizer.jwt.claims}: every value a string. Strings stay themselves,
 * numbers their decimal text ({@code exp} "1767225600"), booleans "true"/"false", a list
 * {@code [a b c]} (API Gateway's rendering, which {@code GatewayCaller} reads for a list role
 * claim such as {@code cognito:groups}), an object {@code map[k:v]} with sorted keys (the same
 * rendering's form for a map), null the empty string.
 */
final class ClaimText {

    private ClaimText() {
    }

    static Map<String, String> render(JsonNode claims) {
        Map<String, String> rendered = new LinkedHashMap<>();
        claims.fields().forEachRemaining(claim -> rendered.put(claim.getKey(), text(claim.getValue())));
        return rendered;
    }

    static String text(JsonNode value) {
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.isIntegralNumber() || value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0) {
            return value.decimalValue().toBigInteger().toString();
        }
        if (value.isNumber() || value.isBoolean()) {
            return value.asText();
        }
        if (value.isArray()) {
            List<String> elements = new java.util.ArrayList<>();
            value.forEach(element -> elements.add(text(element)));
            return "[" + String.join(" ", elements) + "]";
        }
        if (value.isObject()) {
            Map<String, String> sorted = new TreeMap<>();
            value.fields().forEachRemaining(field -> sorted.put(field.getKey(), text(field.getValue())));
            List<String> entries = new java.util.ArrayList<>();
            sorted.forEach((key, text) -> entries.add(key + ":" + text));
            return "map[" + String.join(" ", entries) + "]";
        }
        return "";
    }
}

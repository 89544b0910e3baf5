package dev.ledger.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * A JSON response, with the headers it needs besides {@code Content-Type} (which every answer has),
 * such as a 409's {@code Retry-After}.
 */
public record HttpResponse(int status, JsonNode body, Map<String, String> headers) {

    public HttpResponse {
        headers = Map.copyOf(headers);
    }

    public HttpResponse(int status, JsonNode body) {
        this(status, body, Map.of());
    }

    public static HttpResponse error(int status, String code, String message) {
        return error(status, code, message, Map.of());
    }

    public static HttpResponse error(int status, String code, String message, Map<String, String> headers) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("error", code);
        body.put("message", message);
        return new HttpResponse(status, body, headers);
    }

    public String errorCode() {
        return body.hasNonNull("error") ? body.get("error").asText() : null;
    }
}

package dev.ledger.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A JSON response. */
public record HttpResponse(int status, JsonNode body) {

    public static HttpResponse error(int status, String code, String message) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("error", code);
        body.put("message", message);
        return new HttpResponse(status, body);
    }

    public String errorCode() {
        return body.hasNonNull("error") ? body.get("error").asText() : null;
    }
}

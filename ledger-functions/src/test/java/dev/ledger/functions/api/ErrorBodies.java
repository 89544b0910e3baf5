package dev.ledger.functions.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What every refusal of the HTTP API looks like: the documented status, a JSON body of exactly
 * {@code {"error","message"}} (and for a refused multi-leg transaction, {@code "failedEntry"}; for a refused batch, {@code "failedItem"}) with a stable code and a sentence for humans, and nothing of the
 * implementation: no stack trace, no exception or class name, no parser internals, and no
 * characters that could hide or reorder text in a client's log or terminal.
 */
public final class ErrorBodies {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CODE = Pattern.compile("[a-z]+(_[a-z]+)*");
    /** A package-qualified name such as java.lang.String or com.fasterxml.jackson.core.JsonParser. */
    private static final Pattern QUALIFIED_NAME = Pattern.compile("\\b[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+\\.[A-Z]\\w*");
    /** A Java-style type name: JsonParseException, StreamReadFeature, NullPointerException... */
    private static final Pattern TYPE_NAME = Pattern.compile(
            "\\b[A-Z][a-z0-9]+([A-Z][a-z0-9]*)*(Exception|Error|Feature|Parser|Factory|Mapper|Node|Impl)\\b");
    private static final List<String> INTERNALS = List.of("\tat ", "Caused by", "[Source:", "Exception", "dev.ledger",
            "software.amazon", "com.fasterxml");
    private static final int MAX_MESSAGE_LENGTH = 400;

    private ErrorBodies() {
    }

    /** Asserts a response is the documented refusal; returns its body for further checks. */
    public static JsonNode assertDocumentedError(APIGatewayV2HTTPResponse response, int status, String code) {
        String raw = response.getBody();
        assertThat(response.getStatusCode()).as("status of %s", raw).isEqualTo(status);
        assertThat(response.getHeaders()).as("headers").containsEntry("content-type", "application/json");
        JsonNode body;
        try {
            body = JSON.readTree(raw);
        } catch (IOException e) {
            throw new UncheckedIOException("the refusal is not JSON: " + raw, e);
        }
        assertThat(body.isObject()).as("an object: %s", raw).isTrue();
        List<String> fields = new ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        if (body.has("failedEntry")) {
            // A refused multi-leg transaction names the entry that failed: a non-negative index.
            assertThat(body.get("failedEntry").isInt() && body.get("failedEntry").asInt() >= 0)
                    .as("failedEntry is an entry index: %s", raw).isTrue();
            fields.remove("failedEntry");
        }
        if (body.has("failedItem")) {
            // A refused batch names the item that refused it: a non-negative index.
            assertThat(body.get("failedItem").isInt() && body.get("failedItem").asInt() >= 0)
                    .as("failedItem is an item index: %s", raw).isTrue();
            fields.remove("failedItem");
        }
        assertThat(fields).as("fields of %s", raw).containsExactlyInAnyOrder("error", "message");
        assertThat(body.get("error").isTextual()).as("error is a string: %s", raw).isTrue();
        assertThat(body.get("error").asText()).as("error code").matches(CODE).isEqualTo(code);
        assertThat(body.get("message").isTextual()).as("message is a string: %s", raw).isTrue();
        String message = body.get("message").asText();
        assertThat(message).as("message").isNotBlank().hasSizeLessThanOrEqualTo(MAX_MESSAGE_LENGTH);
        for (String internal : INTERNALS) {
            assertThat(raw).as("no implementation detail in %s", raw).doesNotContain(internal);
        }
        assertThat(QUALIFIED_NAME.matcher(message).find()).as("a class name in %s", message).isFalse();
        assertThat(TYPE_NAME.matcher(message).find()).as("a type name in %s", message).isFalse();
        assertThat(unsafeCharacter(message)).as("a control, format or lone surrogate character in %s", raw).isNull();
        return body;
    }

    /**
     * The first character a client could be fooled by when it prints the message: controls, format
     * characters (bidirectional overrides, zero-width joiners, byte order marks) and lone surrogates.
     */
    static String unsafeCharacter(String message) {
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            boolean pairedSurrogate = Character.isHighSurrogate(c) && i + 1 < message.length()
                    && Character.isLowSurrogate(message.charAt(i + 1));
            if (pairedSurrogate) {
                i++;
                continue;
            }
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT || Character.isSurrogate(c)) {
                return String.format("U+%04X at %d", (int) c, i);
            }
        }
        return null;
    }
}

package dev.ledger.infra.local.jwt;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Optional;

/**
 * Strict JSON for token parts and key documents: a repeated member name is an error (two {@code iss}
 * or two {@code alg} could each be read differently by another parser, RFC 7515 section 5.2), as is
 * trailing content; only an object is a header, a claim set or a key document.
 */
final class JwtJson {

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS, JsonReadFeature.ALLOW_SINGLE_QUOTES)
            .build();

    private JwtJson() {
    }

    /** The object these bytes hold, or empty if they are not exactly one JSON object. */
    static Optional<JsonNode> read(byte[] bytes) {
        try {
            JsonNode node = STRICT.readTree(bytes);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (IOException notJson) {
            return Optional.empty();
        }
    }
}

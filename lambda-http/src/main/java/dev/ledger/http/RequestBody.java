package dev.ledger.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.InvalidMoneyException;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A request's JSON body, read strictly: one object, at most 16 KB, no duplicate keys, no fields the
 * route does not know, each field of the type the contract names. Every failure is a 400 with a
 * sentence naming the field.
 */
public final class RequestBody {

    public static final int MAX_BYTES = 16 * 1024;
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    public static final int MAX_METADATA_KEYS = 16;
    public static final int MAX_METADATA_VALUE_LENGTH = 512;

    private static final ObjectMapper STRICT = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16)
                            .maxNumberLength(40).maxStringLength(MAX_BYTES).build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private final JsonNode node;
    /** How messages name this body's fields: "" for the request, "entries[2]." for an element of an array. */
    private final String prefix;

    private RequestBody(JsonNode node) {
        this(node, "");
    }

    private RequestBody(JsonNode node, String prefix) {
        this.node = node;
        this.prefix = prefix;
    }

    /** Parses a body that must be a JSON object with only the allowed fields. */
    public static RequestBody parse(String body, Set<String> allowedFields) {
        return parse(body, allowedFields, false, MAX_BYTES);
    }

    /** As {@link #parse(String, Set)}, for a route whose bodies may be larger (a batch of many items). */
    public static RequestBody parse(String body, Set<String> allowedFields, int maxBytes) {
        return parse(body, allowedFields, false, maxBytes);
    }

    /** As {@link #parse}, but an absent or empty body counts as {@code {}}. */
    public static RequestBody parseOptional(String body, Set<String> allowedFields) {
        return parse(body, allowedFields, true, MAX_BYTES);
    }

    private static RequestBody parse(String body, Set<String> allowedFields, boolean optional, int maxBytes) {
        if (body == null || body.isBlank()) {
            if (optional) {
                return new RequestBody(STRICT.createObjectNode());
            }
            throw ApiException.invalid("the request needs a JSON object body");
        }
        if (body.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw ApiException.invalid("the request body is larger than " + maxBytes / 1024 + " KB");
        }
        JsonNode node;
        try (JsonParser parser = STRICT.createParser(body)) {
            node = STRICT.readTree(parser);
            if (parser.nextToken() != null) {
                throw ApiException.invalid("the request body has content after its JSON object");
            }
        } catch (StreamConstraintsException e) {
            throw ApiException.invalid("the request body is nested too deeply or has a value that is too long");
        } catch (JsonProcessingException e) {
            // Jackson's own sentence names its classes and features and echoes raw input: say where, not how.
            throw ApiException.invalid("the request body is not valid JSON" + where(e.getLocation()));
        } catch (IOException e) {
            throw ApiException.invalid("the request body could not be read as JSON");
        }
        if (node == null || !node.isObject()) {
            throw ApiException.invalid("the request body must be a JSON object");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowedFields.contains(name)) {
                throw ApiException.invalid("unknown field '" + printable(name) + "'; this request takes "
                        + String.join(", ", new java.util.TreeSet<>(allowedFields)));
            }
        }
        return new RequestBody(node);
    }

    /**
     * An array of objects, each read as strictly as a body (only the allowed fields, each of its type), at
     * most {@code max} long; messages about an element's fields name it ("entries[2].amount").
     *
     * @return the elements in order; empty when the field is absent or null
     */
    public java.util.List<RequestBody> objects(String field, Set<String> allowedFields) {
        JsonNode value = node.get(field);
        java.util.List<RequestBody> elements = new java.util.ArrayList<>();
        if (value == null || value.isNull()) {
            return elements;
        }
        if (!value.isArray()) {
            throw ApiException.invalid("field '" + name(field) + "' must be an array of objects");
        }
        for (int i = 0; i < value.size(); i++) {
            JsonNode element = value.get(i);
            String where = name(field) + "[" + i + "]";
            if (!element.isObject()) {
                throw ApiException.invalid("'" + where + "' must be an object");
            }
            for (Iterator<String> names = element.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!allowedFields.contains(name)) {
                    throw ApiException.invalid("unknown field '" + printable(name) + "' in '" + where + "'; an element"
                            + " takes " + String.join(", ", new java.util.TreeSet<>(allowedFields)));
                }
            }
            elements.add(new RequestBody(element, where + "."));
        }
        return elements;
    }

    /**
     * Refuses a field of this object (an element of an array) that {@code allowedFields} does not hold,
     * where which fields an element takes depends on one of its own (a batch item's {@code type}).
     *
     * @param what how the message names what takes these fields ("a transfer item")
     */
    public void allowOnly(Set<String> allowedFields, String what) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowedFields.contains(name)) {
                throw ApiException.invalid("unknown field '" + printable(name) + "' in '"
                        + (prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : "the request") + "'; "
                        + what + " takes " + String.join(", ", new java.util.TreeSet<>(allowedFields)));
            }
        }
    }

    /** How a message names one of this body's fields. */
    public String name(String field) {
        return prefix + field;
    }

    public boolean has(String field) {
        return node.has(field);
    }

    public boolean isNull(String field) {
        return node.has(field) && node.get(field).isNull();
    }

    public String requiredId(String field) {
        return validId(name(field), requiredString(field));
    }

    public String requiredString(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw ApiException.invalid("field '" + name(field) + "' is required");
        }
        if (!value.isTextual()) {
            throw ApiException.invalid("field '" + name(field) + "' must be a string");
        }
        return value.asText();
    }

    public CurrencyUnit requiredCurrency(String field) {
        String code = requiredString(field);
        try {
            return CurrencyUnit.of(code);
        } catch (InvalidMoneyException e) {
            throw ApiException.invalid("field '" + name(field) + "': " + escaped(e.getMessage()));
        }
    }

    /** A decimal string amount, exact in the currency; numbers are refused so no float ever rounds one. */
    public Money requiredAmount(String field, CurrencyUnit currency, boolean positive) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw ApiException.invalid("field '" + name(field) + "' is required");
        }
        return amount(name(field), value, currency, positive);
    }

    public Optional<Money> optionalAmount(String field, CurrencyUnit currency, boolean positive) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(amount(name(field), value, currency, positive));
    }

    /**
     * An account's overdraft limit: absent is none ("0"), null is unlimited, otherwise a decimal string
     * of at most {@link OverdraftLimit#MAX_MINOR_UNITS} minor units; a larger one is refused with the
     * maximum in the currency's decimal form.
     */
    public OverdraftLimit overdraftLimit(String field, CurrencyUnit currency) {
        JsonNode value = node.get(field);
        if (value == null) {
            return OverdraftLimit.NONE;
        }
        if (value.isNull()) {
            return OverdraftLimit.UNLIMITED;
        }
        requireDecimalString(name(field), value);
        try {
            return OverdraftLimit.parse(value.asText(), currency);
        } catch (InvalidMoneyException e) {
            throw ApiException.invalid("field '" + name(field) + "': " + escaped(e.getMessage()));
        }
    }

    public boolean optionalBoolean(String field, boolean absent) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return absent;
        }
        if (!value.isBoolean()) {
            throw ApiException.invalid("field '" + name(field) + "' must be true or false");
        }
        return value.asBoolean();
    }

    /** A whole number in [min, max]; 1.0, "1" and 1e3 are refused. */
    public Optional<Long> optionalWholeNumber(String field, long min, long max) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()
                || value.asLong() < min || value.asLong() > max) {
            throw ApiException.invalid("field '" + name(field) + "' must be a whole number from " + min + " to " + max);
        }
        return Optional.of(value.asLong());
    }

    /** Client labels: an object of at most 16 string values under id-like keys. */
    public SortedMap<String, String> metadata(String field) {
        JsonNode value = node.get(field);
        SortedMap<String, String> metadata = new TreeMap<>();
        if (value == null || value.isNull()) {
            return metadata;
        }
        if (!value.isObject()) {
            throw ApiException.invalid("field '" + name(field) + "' must be an object of strings");
        }
        if (value.size() > MAX_METADATA_KEYS) {
            throw ApiException.invalid("field '" + name(field) + "' has " + value.size() + " keys; at most "
                    + MAX_METADATA_KEYS + " are allowed");
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = fields.next();
            metadataPair(entry.getKey(), entry.getValue().isTextual() ? entry.getValue().asText() : null);
            metadata.put(entry.getKey(), entry.getValue().asText());
        }
        return metadata;
    }

    /**
     * One metadata pair (a body's, or a list's {@code metadata.<key>=<value>} filter): a key of 1 to 64
     * {@code A-Z a-z 0-9 . _ : -} and a string value of at most {@link #MAX_METADATA_VALUE_LENGTH} characters.
     *
     * @param value null for a value that is not a string
     */
    public static void metadataPair(String key, String value) {
        if (key == null || !ID.matcher(key).matches()) {
            throw ApiException.invalid("metadata key '" + printable(key) + "' must be 1 to 64 characters of A-Z a-z 0-9 . _ : -");
        }
        if (value == null || value.length() > MAX_METADATA_VALUE_LENGTH) {
            throw ApiException.invalid("metadata value of '" + key + "' must be a string of at most "
                    + MAX_METADATA_VALUE_LENGTH + " characters");
        }
    }

    /** Ids in paths and bodies: 1 to 64 of A-Z a-z 0-9 . _ : - (so no slashes, spaces or dots-only traversal). */
    public static String validId(String field, String value) {
        if (value == null || !ID.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw ApiException.invalid(field + " must be 1 to 64 characters of A-Z a-z 0-9 . _ : -, got '"
                    + printable(value) + "'");
        }
        return value;
    }

    private static Money amount(String field, JsonNode value, CurrencyUnit currency, boolean positive) {
        requireDecimalString(field, value);
        try {
            return positive ? Money.parsePositive(value.asText(), currency) : Money.parse(value.asText(), currency);
        } catch (InvalidMoneyException e) {
            throw ApiException.invalid("field '" + field + "': " + escaped(e.getMessage()));
        }
    }

    private static void requireDecimalString(String field, JsonNode value) {
        if (!value.isTextual()) {
            throw ApiException.invalid("field '" + field + "' must be a decimal string such as \"10.00\", not "
                    + (value.isNumber() ? "a number" : "a " + value.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
    }

    /** Echoes a bad value back safely: short, and with every character that could hide or reorder text escaped. */
    public static String printable(String value) {
        if (value == null) {
            return "";
        }
        return escaped(value.length() > 70 ? value.substring(0, 70) + "..." : value);
    }

    /**
     * The text with controls, format characters (bidirectional overrides, zero-width characters,
     * byte order marks), line separators and lone surrogates written as a backslash-u escape, so that a
     * message quoting a hostile value prints as what it is.
     */
    static String escaped(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            if (Character.isISOControl(cp) || type == Character.FORMAT || type == Character.SURROGATE
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                    || type == Character.UNASSIGNED) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    private static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}

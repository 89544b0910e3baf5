package dev.ledger.projections.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.http.ApiException;
import dev.ledger.http.RequestBody;
import dev.ledger.projections.SortableTime;
import java.io.IOException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The {@code metadata.<key>=<value>} filter of the two list routes ({@code GET /accounts},
 * {@code GET /transfers}) and the cursor of a listing from the metadata index
 * ({@link dev.ledger.projections.MetadataIndex}): one owner, so both routes take the same pairs and give
 * out and accept the same cursors.
 *
 * <p>Exactly one pair per request: the index is keyed by one pair, and two would be an intersection it
 * cannot answer by key. The key and value follow a metadata field's own rules ({@link RequestBody#metadataPair}).
 *
 * <p>The cursor is the index's last key under a version tag, {@code base64url({"at","pair","sk","v":"m1"})};
 * it is refused unless it names the query's pair, an {@code at} of the listed kind inside the query's
 * window, and a slot (a key outside the query's key condition would be refused by DynamoDB, not continue).
 */
final class MetadataFilter {

    static final String PREFIX = "metadata.";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VERSION = "m1";
    /** An index key's {@code at}: the stream's first recorded time ({@link SortableTime}), '#', its item id. */
    static final Pattern ACCOUNT_AT = Pattern.compile(SortableTime.PATTERN + "#account#[A-Za-z0-9._:-]{1,64}");
    static final Pattern TRANSFER_AT = Pattern.compile(SortableTime.PATTERN + "#(transfer|transaction)#[A-Za-z0-9._:-]{1,64}");

    /** One metadata pair a list asks for. */
    record Pair(String key, String value) {
    }

    private MetadataFilter() {
    }

    /** Whether a list request filters by metadata (any parameter named {@code metadata.*}). */
    static boolean asks(Map<String, String> query) {
        return query.keySet().stream().anyMatch(name -> name.startsWith(PREFIX));
    }

    /**
     * The request's one pair.
     *
     * @throws ApiException 400 for two pairs (naming {@code supported}), or a key or value a metadata field
     *                      could not hold
     */
    static Pair pair(Map<String, String> query, String supported) {
        List<String> names = query.keySet().stream().filter(name -> name.startsWith(PREFIX)).sorted().toList();
        if (names.size() != 1) {
            throw ApiException.invalid("one metadata.<key> per request, got " + names.size() + "; " + supported);
        }
        String key = names.get(0).substring(PREFIX.length());
        String value = query.get(names.get(0));
        RequestBody.metadataPair(key, value);
        return new Pair(key, value);
    }

    /** The cursor continuing after the index key {@code last} (a page's last key). */
    static String cursor(Map<String, AttributeValue> last) {
        Map<String, Object> fields = new TreeMap<>();
        fields.put("v", VERSION);
        fields.put("pair", last.get("pair").s());
        fields.put("at", last.get("at").s());
        fields.put("sk", Integer.parseInt(last.get("sk").n()));
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(fields));
        } catch (IOException cannot) {
            throw new IllegalStateException("strings and a number always serialize", cannot);
        }
    }

    /**
     * The index key to start after, from a cursor given out for the same pair; null without one.
     *
     * @param pair   the index's hash key the query reads
     * @param kind the {@code at} form of the listed kind ({@link #ACCOUNT_AT}, {@link #TRANSFER_AT})
     * @param from the query's window (its key condition), which the cursor's {@code at} must lie in
     * @param to   its end
     * @throws ApiException 400 for any other cursor
     */
    static Map<String, AttributeValue> startKey(String pair, String cursor, Pattern kind, Optional<Instant> from,
                                                Optional<Instant> to) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        JsonNode fields;
        try {
            fields = JSON.readTree(Base64.getUrlDecoder().decode(cursor));
        } catch (IllegalArgumentException | IOException notOurs) {
            throw notOurs();
        }
        if (fields == null || !fields.isObject() || fields.size() != 4 || !VERSION.equals(fields.path("v").asText(null))
                || !pair.equals(fields.path("pair").asText(null)) || !fields.path("at").isTextual()
                || !kind.matcher(fields.get("at").asText()).matches() || !fields.path("sk").isInt()
                || fields.get("sk").asInt() < 1 || fields.get("sk").asInt() > 16) {
            throw notOurs();
        }
        String at = fields.get("at").asText();
        if (!SortableTime.inside(at, from, to)) {
            throw notOurs();
        }
        String id = at.substring(at.indexOf('#') + 1);
        return Map.of("pair", AttributeValue.fromS(pair), "at", AttributeValue.fromS(at),
                "id", AttributeValue.fromS(id), "sk", AttributeValue.fromN(Integer.toString(fields.get("sk").asInt())));
    }

    private static ApiException notOurs() {
        return ApiException.invalid("query parameter 'cursor' is not a cursor this API gave out for this query");
    }
}

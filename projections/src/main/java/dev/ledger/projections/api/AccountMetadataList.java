package dev.ledger.projections.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.api.StreamId;
import dev.ledger.http.ApiException;
import dev.ledger.http.HttpRequest;
import dev.ledger.http.HttpResponse;
import dev.ledger.http.RequestBody;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.MetadataIndex;
import dev.ledger.views.Views;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code GET /accounts?metadata.<key>=<value>&limit=&cursor=} (issue 16): the accounts whose metadata
 * has that pair, newest account first, from the metadata index ({@link MetadataIndex}), read by key.
 *
 * <p>Exactly one pair, and nothing else but {@code limit} and {@code cursor}: the index's key is one
 * pair, so two pairs would be an intersection the index cannot answer by key, and {@code currency},
 * {@code status} or {@code idPrefix} a filter over a page that could then come back empty however far
 * the pair's accounts go (a page must not read without bound to fill itself). Those are 400 naming
 * the indexed combinations.
 *
 * <p>The index, like every GSI, is a moment behind its table: an account whose pair was replaced a
 * moment ago may still be named under the old one. Each account is shown as its balances item has it
 * now, and one whose metadata no longer has the pair is left out, so a page can hold fewer than
 * {@code limit} accounts while its cursor goes on.
 *
 * <p>The cursor is the index's last key under a version tag ({@code m1}), and carries the pair: a
 * cursor of another pair, or of another listing, is refused.
 */
final class AccountMetadataList {

    static final String PREFIX = "metadata.";
    private static final Set<String> OTHERS = Set.of("limit", "cursor");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The index key's {@code at}: the account's opening time, fixed width, then its item id. */
    private static final Pattern AT = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z"
            + "#account#[A-Za-z0-9._:-]{1,64}");
    private static final String VERSION = "m1";

    private AccountMetadataList() {
    }

    /** Whether the request asks for accounts by metadata (any parameter named {@code metadata.*}). */
    static boolean asks(Map<String, String> query) {
        return query.keySet().stream().anyMatch(name -> name.startsWith(PREFIX));
    }

    static HttpResponse page(BalancesProjection balances, MetadataIndex index, HttpRequest request) {
        Map<String, String> query = request.query();
        List<String> pairs = query.keySet().stream().filter(name -> name.startsWith(PREFIX)).sorted().toList();
        if (pairs.size() > 1) {
            throw ApiException.invalid("one metadata.<key> per request, got " + pairs.size() + "; "
                    + AccountList.SUPPORTED);
        }
        for (String name : query.keySet()) {
            if (!name.startsWith(PREFIX) && !OTHERS.contains(name)) {
                throw ApiException.invalid("query parameter '" + AccountList.printable(name)
                        + "' is not indexed with metadata.<key>; " + AccountList.SUPPORTED);
            }
        }
        String key = pairs.get(0).substring(PREFIX.length());
        if (!RequestBody.ID.matcher(key).matches()) {
            throw ApiException.invalid("query parameter 'metadata.<key>': the key must be 1 to 64 characters of "
                    + "A-Z a-z 0-9 . _ : -, got '" + AccountList.printable(key) + "'");
        }
        String value = query.get(pairs.get(0));
        if (value.length() > RequestBody.MAX_METADATA_VALUE_LENGTH) {
            throw ApiException.invalid("query parameter 'metadata." + key + "' must be at most "
                    + RequestBody.MAX_METADATA_VALUE_LENGTH + " characters, as a metadata value is");
        }
        if (index == null) {
            throw new IllegalStateException("this read API was built without the metadata index");
        }
        int limit = QueryApi.wholeNumberOf(query.get("limit"), "limit", 1, AccountList.MAX_PAGE, AccountList.DEFAULT_PAGE);
        String pair = MetadataIndex.accountPair(key, value);
        MetadataIndex.Page page = index.accounts(key, value, limit, startKey(pair, query.get("cursor")));
        List<String> ids = page.streams().stream().map(StreamId::id).toList();
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode accounts = body.putArray("accounts");
        balances.wholeAll(ids).stream()
                .filter(balance -> value.equals(balance.account().metadata().get(key)))
                .forEach(balance -> accounts.add(Views.account(balance.account(), balance.version())));
        body.put("nextCursor", page.next() == null ? null : cursor(page.next()));
        return new HttpResponse(200, body);
    }

    private static String cursor(Map<String, AttributeValue> next) {
        Map<String, Object> fields = new TreeMap<>();
        fields.put("v", VERSION);
        fields.put("pair", next.get("pair").s());
        fields.put("at", next.get("at").s());
        fields.put("sk", Integer.parseInt(next.get("sk").n()));
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(fields));
        } catch (IOException cannot) {
            throw new IllegalStateException("strings and a number always serialize", cannot);
        }
    }

    /**
     * The index key to start after, from a cursor this route gave out for the same pair; null without one.
     *
     * @throws ApiException 400 for any other cursor
     */
    private static Map<String, AttributeValue> startKey(String pair, String cursor) {
        if (cursor == null) {
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
                || !AT.matcher(fields.get("at").asText()).matches() || !fields.path("sk").isInt()
                || fields.get("sk").asInt() < 1 || fields.get("sk").asInt() > 16) {
            throw notOurs();
        }
        String at = fields.get("at").asText();
        String id = at.substring(at.indexOf('#') + 1);
        return Map.of("pair", AttributeValue.fromS(pair), "at", AttributeValue.fromS(at),
                "id", AttributeValue.fromS(id), "sk", AttributeValue.fromN(Integer.toString(fields.get("sk").asInt())));
    }

    private static ApiException notOurs() {
        return ApiException.invalid("query parameter 'cursor' is not a cursor this API gave out for this query");
    }
}

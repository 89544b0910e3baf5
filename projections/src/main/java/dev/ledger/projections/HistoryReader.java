package dev.ledger.projections;

import static dev.ledger.projections.HistoryItemCodec.AMOUNT;
import static dev.ledger.projections.HistoryItemCodec.BALANCE_AFTER;
import static dev.ledger.projections.HistoryItemCodec.COUNTERPARTY;
import static dev.ledger.projections.HistoryItemCodec.HASH;
import static dev.ledger.projections.HistoryItemCodec.RECORDED_AT;
import static dev.ledger.projections.HistoryItemCodec.TRANSFER_ID;
import static dev.ledger.projections.HistoryItemCodec.TYPE;
import static dev.ledger.projections.ProjectionTables.ID;
import static dev.ledger.projections.ProjectionTables.SK;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Reads an account's history projection a page at a time, in version order, with an opaque cursor
 * (the next version to read) and an optional time window.
 */
public final class HistoryReader {

    public static final int MAX_PAGE = 1000;
    private static final String CURSOR_PREFIX = "v1:";
    private static final Pattern CURSOR = Pattern.compile(Pattern.quote(CURSOR_PREFIX) + "[0-9]{1,18}");

    private final DynamoDbClient dynamo;
    private final String table;

    public HistoryReader(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** @param nextCursor null on the last page */
    public record Page(List<ObjectNode> entries, String nextCursor) {
    }

    public Page page(String accountId, long fromVersion, int limit, Optional<Instant> from, Optional<Instant> to) {
        List<ObjectNode> entries = new ArrayList<>();
        Map<String, AttributeValue> startKey = null;
        do {
            Map<String, AttributeValue> start = startKey;
            QueryResponse response = dynamo.query(r -> r.tableName(table).consistentRead(true)
                    .keyConditionExpression("#id = :id AND #sk >= :from")
                    .expressionAttributeNames(Map.of("#id", ID, "#sk", SK))
                    .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(accountId),
                            ":from", AttributeValue.fromN(Long.toString(Math.max(1, fromVersion)))))
                    .limit(MAX_PAGE).exclusiveStartKey(start));
            for (Map<String, AttributeValue> item : response.items()) {
                Instant recordedAt = Instant.parse(item.get(RECORDED_AT).s());
                if (from.isPresent() && recordedAt.isBefore(from.get())
                        || to.isPresent() && recordedAt.isAfter(to.get())) {
                    continue;
                }
                if (entries.size() == limit) {
                    return new Page(entries, encodeCursor(Long.parseLong(item.get(SK).n())));
                }
                entries.add(entry(item));
            }
            startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (startKey != null);
        return new Page(entries, null);
    }

    private static ObjectNode entry(Map<String, AttributeValue> item) {
        ObjectNode entry = JsonNodeFactory.instance.objectNode();
        entry.put("version", Long.parseLong(item.get(SK).n()));
        entry.put("type", item.get(TYPE).s());
        entry.put("transferId", text(item, TRANSFER_ID));
        entry.put("counterpartyAccountId", text(item, COUNTERPARTY));
        entry.put("amount", text(item, AMOUNT));
        entry.put("balanceAfter", item.get(BALANCE_AFTER).s());
        entry.put("recordedAt", item.get(RECORDED_AT).s());
        entry.put("hash", item.get(HASH).s());
        if (item.containsKey(HistoryItemCodec.TRANSACTION_ID)) {
            // A multi-leg transaction's leg: the transaction and every entry of it, this account's and its counterparts'.
            entry.put("transactionId", item.get(HistoryItemCodec.TRANSACTION_ID).s());
            entry.set("entries", entries(item.get(HistoryItemCodec.ENTRIES).s()));
        }
        // A reversal's entry also names the reversal, and says whether an operator forced it.
        if (item.containsKey(HistoryItemCodec.REVERSAL_ID)) {
            entry.put("reversalId", text(item, HistoryItemCodec.REVERSAL_ID));
            entry.put("forced", item.get(HistoryItemCodec.FORCED).bool());
        }
        return entry;
    }

    /** The stored entries with directions as the API writes them ("debit", "credit"). */
    private static ArrayNode entries(String json) {
        ArrayNode entries = ItemJson.readArray(json, "a history entry's transaction entries");
        entries.forEach(entry -> ((ObjectNode) entry).put("direction",
                entry.get("direction").asText().toLowerCase(java.util.Locale.ROOT)));
        return entries;
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        return HistoryItemCodec.text(item, name);
    }

    public static String encodeCursor(long nextVersion) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + nextVersion).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The version a cursor points at; 1 without a cursor.
     *
     * @throws IllegalArgumentException for a cursor this reader did not give out (the read API's 400)
     */
    public static long decodeCursor(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return 1;
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            // Exactly what encodeCursor writes: Long.parseLong alone would also take a sign or non-ASCII digits.
            if (CURSOR.matcher(decoded).matches()) {
                long version = Long.parseLong(decoded.substring(CURSOR_PREFIX.length()));
                if (version >= 1) {
                    return version;
                }
            }
        } catch (IllegalArgumentException malformed) {
            // refused below
        }
        throw new IllegalArgumentException("query parameter 'cursor' is not a cursor this API gave out");
    }
}

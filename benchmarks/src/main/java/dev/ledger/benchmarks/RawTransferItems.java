package dev.ledger.benchmarks;

import static dev.ledger.store.EventsTable.HEAD_SK;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * The DynamoDB items a posted transfer writes, without the ledger: for each of its three streams
 * (the transfer's and its two accounts') the next event, conditioned on its version being free, and
 * the stream's head, conditioned on still being at the version before; items of the sizes the ledger
 * writes. Keeps each stream's version itself, so the transfers it builds never conflict with each
 * other. For benchmarks that measure the raw SDK calls beside the ledger's.
 */
public final class RawTransferItems {

    private static final String HASH = "0".repeat(64);
    private static final String RECORDED_AT = "2026-11-29T05:00:00.123456Z";

    private final String table;
    private final Map<String, Long> versions = new HashMap<>();

    public RawTransferItems(String table) {
        this.table = table;
    }

    /** The key of a stream's head item, e.g. {@code account:bank}'s. */
    public static Map<String, AttributeValue> headKey(String stream) {
        return key(stream, HEAD_SK);
    }

    /** The six items of one transfer across these streams, at each one's next version. */
    public List<TransactWriteItem> transfer(String transferStream, String debitStream, String creditStream) {
        List<TransactWriteItem> items = new ArrayList<>();
        for (String stream : List.of(transferStream, debitStream, creditStream)) {
            long version = versions.getOrDefault(stream, 0L);
            items.add(put(event(stream, version + 1), "attribute_not_exists(pk)", Map.of()));
            items.add(put(head(stream, version + 1), version == 0 ? "attribute_not_exists(pk)" : "version = :v",
                    version == 0 ? Map.of() : Map.of(":v", AttributeValue.fromN(Long.toString(version)))));
            versions.put(stream, version + 1);
        }
        return items;
    }

    private TransactWriteItem put(Map<String, AttributeValue> item, String condition, Map<String, AttributeValue> values) {
        Put.Builder put = Put.builder().tableName(table).item(item).conditionExpression(condition);
        if (!values.isEmpty()) {
            put.expressionAttributeValues(values);
        }
        return TransactWriteItem.builder().put(put.build()).build();
    }

    private static Map<String, AttributeValue> key(String stream, long sk) {
        Map<String, AttributeValue> key = new HashMap<>();
        key.put("pk", AttributeValue.fromS(stream));
        key.put("sk", AttributeValue.fromN(Long.toString(sk)));
        return key;
    }

    private static Map<String, AttributeValue> event(String stream, long version) {
        Map<String, AttributeValue> item = key(stream, version);
        item.put("type", AttributeValue.fromS("EntryPosted"));
        item.put("schemaVersion", AttributeValue.fromN("1"));
        item.put("recordedAt", AttributeValue.fromS(RECORDED_AT));
        item.put("transferId", AttributeValue.fromS("raw-transfer-id"));
        item.put("correlationId", AttributeValue.fromS("00000000-0000-0000-0000-000000000000"));
        item.put("data", AttributeValue.fromS("{\"accountId\":\"c1\",\"amount\":\"1.00\",\"counterpartyAccountId\":"
                + "\"bank\",\"currency\":\"EUR\",\"side\":\"CREDIT\",\"transferId\":\"raw-transfer-id\"}"));
        item.put("hash", AttributeValue.fromS(HASH));
        return item;
    }

    private static Map<String, AttributeValue> head(String stream, long version) {
        Map<String, AttributeValue> item = key(stream, HEAD_SK);
        item.put("version", AttributeValue.fromN(Long.toString(version)));
        item.put("hash", AttributeValue.fromS(HASH));
        item.put("state", AttributeValue.fromS("{\"accountId\":\"c1\",\"creditsPending\":0,\"creditsPosted\":100,"
                + "\"currency\":\"EUR\",\"debitsPending\":0,\"debitsPosted\":0,\"overdraftLimit\":0,"
                + "\"status\":\"OPEN\"}"));
        item.put("createdAt", AttributeValue.fromS(RECORDED_AT));
        return item;
    }
}

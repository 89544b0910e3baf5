package dev.ledger.replay;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Unconditional puts into one table, up to {@value #MAX_ITEMS} per BatchWriteItem call, until
 * DynamoDB has taken every item (it may hand some back as unprocessed when throttled). Only for a
 * table nobody else writes: a put here does not check what it replaces.
 */
final class ItemBatches {

    /** BatchWriteItem's limit; one call may not name a key twice either. */
    static final int MAX_ITEMS = 25;

    private static final long MAX_PAUSE_MS = 2_000;

    private final DynamoDbClient dynamo;
    private final String table;

    ItemBatches(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** The key of a projection item ({@code id}, and {@code sk} in a sorted table), for deduplication. */
    static String key(Map<String, AttributeValue> item) {
        AttributeValue sk = item.get("sk");
        return item.get("id").s() + (sk == null ? "" : "\u0000" + sk.n());
    }

    /** Writes {@code items} (at most {@value #MAX_ITEMS}, distinct keys). */
    void write(Collection<Map<String, AttributeValue>> items) {
        if (items.size() > MAX_ITEMS) {
            throw new IllegalArgumentException(items.size() + " items in one batch; at most " + MAX_ITEMS);
        }
        List<WriteRequest> requests = new ArrayList<>();
        items.forEach(item -> requests.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build())
                .build()));
        long pauseMs = 50;
        while (!requests.isEmpty()) {
            List<WriteRequest> batch = List.copyOf(requests);
            BatchWriteItemResponse response = dynamo.batchWriteItem(r -> r.requestItems(Map.of(table, batch)));
            requests.clear();
            if (response.hasUnprocessedItems() && response.unprocessedItems().containsKey(table)) {
                requests.addAll(response.unprocessedItems().get(table));
            }
            if (!requests.isEmpty()) {
                pause(pauseMs);
                pauseMs = Math.min(MAX_PAUSE_MS, pauseMs * 2);
            }
        }
    }

    /** Backing off after a throttled batch, as DynamoDB asks; not a synchronisation. */
    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off", e);
        }
    }
}

package dev.ledger.projections;

import static dev.ledger.projections.ProjectionTables.ID;
import static dev.ledger.projections.ProjectionTables.SK;

import dev.ledger.domain.api.StreamId;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Put;

/**
 * The per-stream item every projection keeps (for history: the cursor at {@code sk = 0}): the last
 * applied {@code version}, and {@code blocked} once a stream's event could not be applied.
 */
final class ProjectionItems {

    static final String VERSION = "version";
    static final String BLOCKED = "blocked";
    private static final int MAX_BATCH_GET = 100;
    static final int MAX_BATCH_GET_TRIES = 8;

    private final DynamoDbClient dynamo;
    private final String table;
    private final boolean sorted;

    ProjectionItems(DynamoDbClient dynamo, String table, boolean sorted) {
        this.dynamo = dynamo;
        this.table = table;
        this.sorted = sorted;
    }

    String table() {
        return table;
    }

    DynamoDbClient dynamo() {
        return dynamo;
    }

    Map<String, AttributeValue> key(String id) {
        Map<String, AttributeValue> key = new HashMap<>();
        key.put(ID, AttributeValue.fromS(id));
        if (sorted) {
            key.put(SK, AttributeValue.fromN("0"));
        }
        return key;
    }

    /** The stream's item, read strongly consistent; empty map if there is none. */
    Map<String, AttributeValue> read(String id) {
        GetItemResponse response = dynamo.getItem(r -> r.tableName(table).key(key(id)).consistentRead(true));
        return response.hasItem() ? response.item() : Map.of();
    }

    /**
     * The items of several streams, read strongly consistent in as few requests as DynamoDB allows (100
     * keys each), by id; a stream with no item is left out. Keys DynamoDB did not get to (its answer's
     * size limit, throttling) are asked again after a short backoff, as AWS advises for batch reads.
     *
     * @param ids distinct ids (DynamoDB refuses a batch that names a key twice)
     * @throws SdkException if some keys are still unprocessed after {@value #MAX_BATCH_GET_TRIES} tries
     */
    Map<String, Map<String, AttributeValue>> readAll(List<String> ids) {
        Map<String, Map<String, AttributeValue>> found = new HashMap<>();
        for (int from = 0; from < ids.size(); from += MAX_BATCH_GET) {
            List<Map<String, AttributeValue>> keys = ids.subList(from, Math.min(ids.size(), from + MAX_BATCH_GET))
                    .stream().map(this::key).toList();
            Map<String, KeysAndAttributes> request = Map.of(table,
                    KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
            for (int tries = 1; !request.isEmpty(); tries++) {
                if (tries > 1) {
                    backOff(tries);
                }
                Map<String, KeysAndAttributes> asked = request;
                BatchGetItemResponse response = dynamo.batchGetItem(r -> r.requestItems(asked));
                response.responses().getOrDefault(table, List.of()).forEach(item -> found.put(item.get(ID).s(), item));
                request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
                if (!request.isEmpty() && tries == MAX_BATCH_GET_TRIES) {
                    throw SdkClientException.create(table + ": " + request.get(table).keys().size()
                            + " keys still unprocessed after " + tries + " batch reads");
                }
            }
        }
        return found;
    }

    /**
     * Where the projection stands for each stream, in the order given, the items read together
     * ({@link #readAll}); version 0 where there is no item.
     *
     * @param itemId the id of a stream's item (or cursor item) in this table
     */
    Map<StreamId, Projection.Position> positions(Collection<StreamId> streams, Function<StreamId, String> itemId) {
        Map<String, Map<String, AttributeValue>> found = readAll(streams.stream().map(itemId).toList());
        Map<StreamId, Projection.Position> positions = new LinkedHashMap<>();
        streams.forEach(stream -> positions.put(stream, position(found.getOrDefault(itemId.apply(stream), Map.of()))));
        return positions;
    }

    /** Exponential, from 20 ms, capped at 640 ms: a throttled table gets time to refill. */
    private static void backOff(int tries) {
        try {
            Thread.sleep(Math.min(640, 20L << (tries - 2)));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw AbortedException.create("interrupted while backing off a batch read", interrupted);
        }
    }

    static Projection.Position position(Map<String, AttributeValue> item) {
        long version = item.containsKey(VERSION) ? Long.parseLong(item.get(VERSION).n()) : 0;
        return new Projection.Position(version, item.containsKey(BLOCKED), item);
    }

    /** A put of the stream's item that succeeds only if nobody moved it from {@code currentVersion}. */
    Put conditionalPut(Map<String, AttributeValue> item, long currentVersion) {
        Put.Builder put = Put.builder().tableName(table).item(item)
                .expressionAttributeNames(Map.of("#v", VERSION, "#b", BLOCKED));
        if (currentVersion == 0) {
            return put.conditionExpression("attribute_not_exists(#v) AND attribute_not_exists(#b)").build();
        }
        return put.conditionExpression("#v = :v AND attribute_not_exists(#b)")
                .expressionAttributeValues(Map.of(":v", AttributeValue.fromN(Long.toString(currentVersion)))).build();
    }

    /**
     * A conditional put on its own (what a transaction of one item would do, at half its write units).
     *
     * @throws ConditionalCheckFailedException if its condition does not hold
     */
    void put(Put put) {
        dynamo.putItem(r -> r.tableName(put.tableName()).item(put.item()).conditionExpression(put.conditionExpression())
                .expressionAttributeNames(put.hasExpressionAttributeNames() ? put.expressionAttributeNames() : null)
                .expressionAttributeValues(put.hasExpressionAttributeValues() ? put.expressionAttributeValues() : null));
    }

    void block(String id, String reason) {
        dynamo.updateItem(r -> r.tableName(table).key(key(id))
                .updateExpression("SET #b = :reason")
                .expressionAttributeNames(Map.of("#b", BLOCKED))
                .expressionAttributeValues(Map.of(":reason", AttributeValue.fromS(reason))));
    }
}

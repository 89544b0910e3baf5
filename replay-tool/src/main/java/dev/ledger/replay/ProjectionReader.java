package dev.ledger.replay;

import dev.ledger.projections.ProjectionTables;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Raw reads of the projection tables (layouts in {@link ProjectionTables} and the projections'
 * apply methods): one item by id, or an account's history entries in version order a page at a time.
 */
final class ProjectionReader {

    // Attribute names the projections write (see BalancesProjection, HistoryProjection, TransfersProjection).
    static final String VERSION = "version";
    static final String STATE = "state";
    static final String BLOCKED = "blocked";
    static final String UPDATED_AT = "updatedAt";
    static final String STATUS_HISTORY = "statusHistory";
    static final String CREATED_AT = "createdAt";

    private final DynamoDbClient dynamo;

    ProjectionReader(DynamoDbClient dynamo) {
        this.dynamo = dynamo;
    }

    /** The item keyed {@code id} (and {@code sk}, for a sorted table), or an empty map. */
    Map<String, AttributeValue> item(String table, String id, Long sk) {
        Map<String, AttributeValue> key = sk == null
                ? Map.of(ProjectionTables.ID, AttributeValue.fromS(id))
                : Map.of(ProjectionTables.ID, AttributeValue.fromS(id), ProjectionTables.SK,
                AttributeValue.fromN(Long.toString(sk)));
        var response = dynamo.getItem(r -> r.tableName(table).key(key).consistentRead(true));
        return response.hasItem() ? response.item() : Map.of();
    }

    /** Every item of partition {@code id} with {@code sk >= fromSk}, in sort key order. */
    Iterator<Map<String, AttributeValue>> partition(String table, String id, long fromSk) {
        return new Iterator<>() {
            private Iterator<Map<String, AttributeValue>> page = List.<Map<String, AttributeValue>>of().iterator();
            private Map<String, AttributeValue> start;
            private boolean exhausted;

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && !exhausted) {
                    Map<String, AttributeValue> from = start;
                    QueryResponse response = dynamo.query(r -> r.tableName(table).consistentRead(true)
                            .keyConditionExpression("#id = :id AND #sk >= :from")
                            .expressionAttributeNames(Map.of("#id", ProjectionTables.ID, "#sk", ProjectionTables.SK))
                            .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(id),
                                    ":from", AttributeValue.fromN(Long.toString(fromSk))))
                            .exclusiveStartKey(from));
                    page = response.items().iterator();
                    start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                            ? response.lastEvaluatedKey() : null;
                    exhausted = start == null;
                }
                return page.hasNext();
            }

            @Override
            public Map<String, AttributeValue> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.next();
            }
        };
    }

    static String s(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    static Long n(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? null : Long.valueOf(value.n());
    }
}

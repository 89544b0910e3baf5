package dev.ledger.replay;

import dev.ledger.projections.ProjectionTables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Compares two projection tables item for item, every attribute: a page of one table at a time,
 * looked up in the other with BatchGetItem, then the other way round for items only it has. Memory
 * holds a page, never a table.
 */
final class TableDiff {

    static final int KEPT = 1000;

    /** @param items items of the expected table compared */
    record Result(long items, long differenceCount, List<String> differences) {
        boolean equal() {
            return differenceCount == 0;
        }
    }

    private final DynamoDbClient dynamo;
    private final boolean sorted;
    private long items;
    private long count;
    private final List<String> differences = new ArrayList<>();

    private TableDiff(DynamoDbClient dynamo, boolean sorted) {
        this.dynamo = dynamo;
        this.sorted = sorted;
    }

    /** Every item of both tables. */
    static Result compare(DynamoDbClient dynamo, boolean sorted, String expected, String actual) {
        TableDiff diff = new TableDiff(dynamo, sorted);
        diff.scanAndLookUp(expected, actual, true);
        diff.scanAndLookUp(actual, expected, false);
        return diff.result();
    }

    /** Only the partitions of these ids (an account's balance item or history, a transfer's item). */
    static Result compare(DynamoDbClient dynamo, boolean sorted, String expected, String actual, Iterable<String> ids) {
        TableDiff diff = new TableDiff(dynamo, sorted);
        for (String id : ids) {
            Map<String, Map<String, AttributeValue>> want = diff.partition(expected, id);
            Map<String, Map<String, AttributeValue>> have = diff.partition(actual, id);
            diff.items += want.size();
            Set<String> keys = new TreeSet<>(want.keySet());
            keys.addAll(have.keySet());
            for (String key : keys) {
                diff.compareItem(key, want.get(key), have.get(key));
            }
        }
        return diff.result();
    }

    private Result result() {
        return new Result(items, count, List.copyOf(differences));
    }

    private void scanAndLookUp(String scanned, String other, boolean scannedIsExpected) {
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(r -> r.tableName(scanned).consistentRead(true).exclusiveStartKey(from));
            for (int i = 0; i < page.items().size(); i += 100) {
                List<Map<String, AttributeValue>> chunk = page.items().subList(i, Math.min(i + 100, page.items().size()));
                Map<String, Map<String, AttributeValue>> found = batchGet(other, chunk);
                for (Map<String, AttributeValue> item : chunk) {
                    String key = keyString(item);
                    Map<String, AttributeValue> counterpart = found.get(key);
                    if (scannedIsExpected) {
                        items++;
                        compareItem(key, item, counterpart);
                    } else if (counterpart == null) {
                        compareItem(key, null, item);
                    }
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
    }

    private Map<String, Map<String, AttributeValue>> batchGet(String table, List<Map<String, AttributeValue>> items) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (Map<String, AttributeValue> item : items) {
            Map<String, AttributeValue> key = new HashMap<>();
            key.put(ProjectionTables.ID, item.get(ProjectionTables.ID));
            if (sorted) {
                key.put(ProjectionTables.SK, item.get(ProjectionTables.SK));
            }
            keys.add(key);
        }
        Map<String, Map<String, AttributeValue>> found = new HashMap<>();
        Map<String, KeysAndAttributes> request = Map.of(table,
                KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
        while (!request.isEmpty()) {
            Map<String, KeysAndAttributes> ask = request;
            BatchGetItemResponse response = dynamo.batchGetItem(r -> r.requestItems(ask));
            response.responses().getOrDefault(table, List.of()).forEach(item -> found.put(keyString(item), item));
            request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
        }
        return found;
    }

    private Map<String, Map<String, AttributeValue>> partition(String table, String id) {
        Map<String, Map<String, AttributeValue>> result = new LinkedHashMap<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(r -> r.tableName(table).consistentRead(true)
                    .keyConditionExpression("#id = :id")
                    .expressionAttributeNames(Map.of("#id", ProjectionTables.ID))
                    .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(id)))
                    .exclusiveStartKey(from));
            page.items().forEach(item -> result.put(keyString(item), item));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return result;
    }

    private void compareItem(String key, Map<String, AttributeValue> expected, Map<String, AttributeValue> actual) {
        if (expected == null) {
            differ(key + ": only in the live table");
            return;
        }
        if (actual == null) {
            differ(key + ": missing from the live table");
            return;
        }
        Set<String> names = new TreeSet<>(expected.keySet());
        names.addAll(actual.keySet());
        for (String name : names) {
            AttributeValue want = expected.get(name);
            AttributeValue have = actual.get(name);
            if (want == null || !want.equals(have)) {
                differ(key + " " + name + ": live " + shortly(have) + ", rebuilt " + shortly(want));
            }
        }
    }

    private void differ(String difference) {
        count++;
        if (differences.size() < KEPT) {
            differences.add(difference);
        }
    }

    private String keyString(Map<String, AttributeValue> item) {
        return "id=" + item.get(ProjectionTables.ID).s() + (sorted ? " sk=" + item.get(ProjectionTables.SK).n() : "");
    }

    private static String shortly(AttributeValue value) {
        if (value == null) {
            return "absent";
        }
        String text = value.s() != null ? value.s() : value.n() != null ? value.n() : value.toString();
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}

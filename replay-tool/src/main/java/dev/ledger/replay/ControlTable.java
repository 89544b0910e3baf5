package dev.ledger.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * The replay tool's own small table (key {@code id}): rebuild locks ({@code lock#<projection>}) and
 * one record per rebuild ({@code rebuild#<projection>#<table>}: BUILDING, COMPLETE or ABANDONED).
 * Created on first use.
 */
final class ControlTable {

    static final String ID = "id";

    private final DynamoDbClient dynamo;
    private final String table;

    ControlTable(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    DynamoDbClient dynamo() {
        return dynamo;
    }

    String table() {
        return table;
    }

    ControlTable ensureExists() {
        if (!Tables.exists(dynamo, table)) {
            try {
                dynamo.createTable(r -> r.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(AttributeDefinition.builder().attributeName(ID)
                                .attributeType(ScalarAttributeType.S).build())
                        .keySchema(KeySchemaElement.builder().attributeName(ID).keyType(KeyType.HASH).build()));
            } catch (ResourceInUseException createdMeanwhile) {
                // another run created it first: fine
            }
            dynamo.waiter().waitUntilTableExists(r -> r.tableName(table));
        }
        return this;
    }

    /** Every item whose id starts with {@code prefix} (the table holds a handful of items). */
    List<Map<String, AttributeValue>> withPrefix(String prefix) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(r -> r.tableName(table).consistentRead(true)
                    .filterExpression("begins_with(#id, :p)")
                    .expressionAttributeNames(Map.of("#id", ID))
                    .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(prefix)))
                    .exclusiveStartKey(from));
            items.addAll(page.items());
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }

    void put(Map<String, AttributeValue> item) {
        dynamo.putItem(r -> r.tableName(table).item(item));
    }

    /** Table helpers shared by the rebuild. */
    static final class Tables {
        private Tables() {
        }

        static boolean exists(DynamoDbClient dynamo, String table) {
            try {
                dynamo.describeTable(r -> r.tableName(table));
                return true;
            } catch (ResourceNotFoundException e) {
                return false;
            }
        }

        static boolean isEmpty(DynamoDbClient dynamo, String table) {
            return dynamo.scan(r -> r.tableName(table).limit(1)).count() == 0;
        }

        static void delete(DynamoDbClient dynamo, String table) {
            try {
                dynamo.deleteTable(r -> r.tableName(table));
                dynamo.waiter().waitUntilTableNotExists(r -> r.tableName(table));
            } catch (ResourceNotFoundException gone) {
                // already gone
            }
        }
    }
}

package dev.ledger.store;

import static dev.ledger.store.EventsTable.PK;
import static dev.ledger.store.EventsTable.SK;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Creates an events table directly, for tests and benchmarks that run without CloudFormation. It
 * must match the table in {@code infra/template.yaml}, which is what deployments use.
 */
public final class EventsTableSchema {

    private EventsTableSchema() {
    }

    public static void create(DynamoDbClient dynamo, String table) {
        dynamo.createTable(request -> request.tableName(table)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName(PK).attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName(SK).attributeType(ScalarAttributeType.N).build(),
                        AttributeDefinition.builder().attributeName(PendingHolds.BUCKET)
                                .attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName(PendingHolds.EXPIRES_AT)
                                .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName(PK).keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName(SK).keyType(KeyType.RANGE).build())
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName(PendingHolds.INDEX)
                        .keySchema(KeySchemaElement.builder().attributeName(PendingHolds.BUCKET).keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName(PendingHolds.EXPIRES_AT).keyType(KeyType.RANGE).build())
                        .projection(p -> p.projectionType(ProjectionType.KEYS_ONLY))
                        .build())
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)));
    }
}

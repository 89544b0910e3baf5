package dev.ledger.projections;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The read tables' key schemas, for {@link ProjectionCatalog#createTable} (tests and the replay
 * tool's shadow tables). They must match {@code infra/template.yaml}, which is what deployments use.
 *
 * <ul>
 *   <li>balances: one item per account, key {@code id}.
 *   <li>history: key {@code id} + {@code sk}; {@code sk = 0} is the account's cursor (version and
 *       running state), {@code sk = n} the entry for version n.
 *   <li>transfers: one item per transfer, key {@code id}.
 * </ul>
 */
public final class ProjectionTables {

    public static final String ID = "id";
    public static final String SK = "sk";

    private ProjectionTables() {
    }

    static void create(DynamoDbClient dynamo, String table, boolean sorted) {
        dynamo.createTable(request -> {
            request.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST);
            if (sorted) {
                request.attributeDefinitions(
                                AttributeDefinition.builder().attributeName(ID).attributeType(ScalarAttributeType.S).build(),
                                AttributeDefinition.builder().attributeName(SK).attributeType(ScalarAttributeType.N).build())
                        .keySchema(KeySchemaElement.builder().attributeName(ID).keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName(SK).keyType(KeyType.RANGE).build());
            } else {
                request.attributeDefinitions(
                                AttributeDefinition.builder().attributeName(ID).attributeType(ScalarAttributeType.S).build())
                        .keySchema(KeySchemaElement.builder().attributeName(ID).keyType(KeyType.HASH).build());
            }
        });
    }
}

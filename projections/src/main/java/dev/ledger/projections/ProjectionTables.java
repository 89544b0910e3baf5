package dev.ledger.projections;

import java.util.List;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The read tables' key schemas, for {@link ProjectionCatalog#createTable} (tests and the replay
 * tool's shadow tables). They must match {@code infra/template.yaml}, which is what deployments use.
 *
 * <ul>
 *   <li>balances: one item per account, key {@code id}; the indexes listing accounts (see
 *       {@code BalancesItemCodec}).
 *   <li>history: key {@code id} + {@code sk}; {@code sk = 0} is the account's cursor (version and
 *       running state), {@code sk = n} the entry for version n.
 *   <li>transfers: one item per transfer, key {@code id}.
 *   <li>metadata: key {@code id} + {@code sk}; {@code sk = 0} the stream's cursor, {@code sk = 1..16} its
 *       slots; the index {@code metadata-by-pair} (see {@code MetadataProjection}).
 * </ul>
 */
public final class ProjectionTables {

    public static final String ID = "id";
    public static final String SK = "sk";

    private ProjectionTables() {
    }

    /**
     * A global secondary index of string keys, projecting keys only: an item's write then touches the
     * index only when the index's keys change, not at every new version of the item.
     */
    public record Index(String name, String hashKey, String rangeKey) {
    }

    static void create(DynamoDbClient dynamo, String table, boolean sorted, List<Index> indexes) {
        dynamo.createTable(request -> {
            request.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST);
            if (!indexes.isEmpty()) {
                request.globalSecondaryIndexes(indexes.stream().map(index -> GlobalSecondaryIndex.builder()
                        .indexName(index.name())
                        .keySchema(KeySchemaElement.builder().attributeName(index.hashKey()).keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName(index.rangeKey()).keyType(KeyType.RANGE).build())
                        .projection(Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build()).build()).toList());
            }
            if (sorted) {
                List<AttributeDefinition> definitions = new java.util.ArrayList<>(List.of(
                        AttributeDefinition.builder().attributeName(ID).attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName(SK).attributeType(ScalarAttributeType.N).build()));
                indexes.stream().flatMap(index -> java.util.stream.Stream.of(index.hashKey(), index.rangeKey())).distinct()
                        .forEach(name -> definitions.add(AttributeDefinition.builder().attributeName(name)
                                .attributeType(ScalarAttributeType.S).build()));
                request.attributeDefinitions(definitions)
                        .keySchema(KeySchemaElement.builder().attributeName(ID).keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName(SK).keyType(KeyType.RANGE).build());
            } else {
                java.util.Set<String> strings = new java.util.LinkedHashSet<>(List.of(ID));
                indexes.forEach(index -> strings.addAll(List.of(index.hashKey(), index.rangeKey())));
                request.attributeDefinitions(strings.stream().map(name -> AttributeDefinition.builder().attributeName(name)
                                .attributeType(ScalarAttributeType.S).build()).toList())
                        .keySchema(KeySchemaElement.builder().attributeName(ID).keyType(KeyType.HASH).build());
            }
        });
    }
}

package dev.ledger.infra.local.streams;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Where each mapping stands in each shard, kept in a small DynamoDB table on the emulator (what
 * Lambda keeps for an event source mapping on AWS), so a restarted runtime resumes where the last
 * one stopped.
 *
 * <p>Table layout: hash key {@code mapping} (S, the mapping's logical id), range key {@code shard}
 * (S, the shard id); attributes {@code sequenceNumber} (S: the last record processed, or given up
 * on, in that shard; S, not N, since Kinesis sequence numbers have more digits than a DynamoDB
 * number), {@code sourceArn} (S: a checkpoint of another stream under the same mapping id is
 * ignored), {@code shardEnded} (BOOL: the shard is closed and read to its end),
 * {@code updatedAt} (S, ISO-8601). Each write is conditional on the sequence number the writer
 * last saw, so two runtimes on one mapping cannot both move a checkpoint: the later one gets
 * {@link CheckpointConflictException} and stops polling that shard.
 */
public final class CheckpointStore {

    static final String MAPPING = "mapping";
    static final String SHARD = "shard";
    static final String SEQUENCE_NUMBER = "sequenceNumber";
    static final String SOURCE_ARN = "sourceArn";
    static final String SHARD_ENDED = "shardEnded";
    static final String UPDATED_AT = "updatedAt";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public CheckpointStore(DynamoDbClient dynamo, String table, Clock clock) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
    }

    /** The checkpoint table's name for a stack: {@code <stack>-esm-checkpoints}. */
    public static String tableFor(String stackName) {
        return stackName + "-esm-checkpoints";
    }

    public String table() {
        return table;
    }

    /** Creates the table unless it exists. */
    public CheckpointStore ensureTable() {
        try {
            dynamo.describeTable(r -> r.tableName(table));
            return this;
        } catch (ResourceNotFoundException absent) {
            // create below
        }
        try {
            dynamo.createTable(r -> r.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName(MAPPING).attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName(SHARD).attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName(MAPPING).keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName(SHARD).keyType(KeyType.RANGE).build()));
        } catch (ResourceInUseException createdMeanwhile) {
            // another runtime made it
        }
        dynamo.waiter().waitUntilTableExists(r -> r.tableName(table));
        return this;
    }

    /**
     * A shard's checkpoint.
     *
     * @param sequenceNumber the last record done with, or empty if none yet
     */
    public record Checkpoint(Optional<String> sequenceNumber, boolean shardEnded) {
        public static final Checkpoint NONE = new Checkpoint(Optional.empty(), false);
    }

    public Checkpoint read(String mappingId, String sourceArn, String shardId) {
        GetItemResponse response = dynamo.getItem(r -> r.tableName(table).key(key(mappingId, shardId)).consistentRead(true));
        if (!response.hasItem() || !sourceArn.equals(text(response.item(), SOURCE_ARN))) {
            return Checkpoint.NONE;
        }
        Map<String, AttributeValue> item = response.item();
        return new Checkpoint(Optional.ofNullable(text(item, SEQUENCE_NUMBER)),
                item.containsKey(SHARD_ENDED) && Boolean.TRUE.equals(item.get(SHARD_ENDED).bool()));
    }

    /**
     * Moves the shard's checkpoint to {@code sequenceNumber}, if it still is where this writer
     * last saw it ({@code previous}; empty: no checkpoint, or one of another stream).
     */
    public void write(String mappingId, String sourceArn, String shardId, Optional<String> previous,
                      String sequenceNumber, boolean shardEnded) {
        Map<String, AttributeValue> item = new HashMap<>(key(mappingId, shardId));
        item.put(SEQUENCE_NUMBER, AttributeValue.fromS(sequenceNumber));
        item.put(SOURCE_ARN, AttributeValue.fromS(sourceArn));
        item.put(SHARD_ENDED, AttributeValue.fromBool(shardEnded));
        item.put(UPDATED_AT, AttributeValue.fromS(clock.instant().toString()));
        try {
            if (previous.isPresent()) {
                dynamo.putItem(r -> r.tableName(table).item(item)
                        .conditionExpression("#seq = :previous AND #arn = :arn")
                        .expressionAttributeNames(Map.of("#seq", SEQUENCE_NUMBER, "#arn", SOURCE_ARN))
                        .expressionAttributeValues(Map.of(":previous", AttributeValue.fromS(previous.get()),
                                ":arn", AttributeValue.fromS(sourceArn))));
            } else {
                dynamo.putItem(r -> r.tableName(table).item(item)
                        .conditionExpression("attribute_not_exists(#seq) OR #arn <> :arn")
                        .expressionAttributeNames(Map.of("#seq", SEQUENCE_NUMBER, "#arn", SOURCE_ARN))
                        .expressionAttributeValues(Map.of(":arn", AttributeValue.fromS(sourceArn))));
            }
        } catch (ConditionalCheckFailedException moved) {
            throw new CheckpointConflictException(mappingId, shardId, previous, moved);
        }
    }

    private static Map<String, AttributeValue> key(String mappingId, String shardId) {
        return Map.of(MAPPING, AttributeValue.fromS(mappingId), SHARD, AttributeValue.fromS(shardId));
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    /** Another runtime moved this checkpoint: this one must stop polling the shard. */
    public static final class CheckpointConflictException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CheckpointConflictException(String mappingId, String shardId, Optional<String> expected, Throwable cause) {
            super("The checkpoint of " + mappingId + " in " + shardId + " is no longer at "
                    + expected.orElse("(none)") + ": another runtime is processing this shard", cause);
        }
    }
}

package dev.ledger.functions.sweeper;

import static dev.ledger.functions.store.EventsTable.EXPIRES_AT;
import static dev.ledger.functions.store.EventsTable.PENDING_BUCKET;
import static dev.ledger.functions.store.EventsTable.PENDING_BUCKETS;
import static dev.ledger.functions.store.EventsTable.PENDING_INDEX;
import static dev.ledger.functions.store.EventsTable.PK;

import dev.ledger.domain.api.StreamId;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.store.EventsTable;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Records the expiry of every pending hold whose timeout has passed. Pending transfers' heads sit in
 * a sparse index by expiry, spread over buckets; each bucket is read up to now. Expiring is
 * idempotent, so a sweep that runs late, twice, or beside a post that got there first is harmless.
 */
public final class HoldExpirySweeper {

    private final DynamoDbClient dynamo;
    private final CommandService commands;

    public HoldExpirySweeper(DynamoDbClient dynamo, CommandService commands) {
        this.dynamo = dynamo;
        this.commands = commands;
    }

    /** Sweeps every bucket; returns how many holds it expired. */
    public int sweep(String correlationId) {
        Instant now = commands.clock().instant();
        int expired = 0;
        for (int bucket = 0; bucket < PENDING_BUCKETS; bucket++) {
            Map<String, AttributeValue> startKey = null;
            do {
                QueryRequest.Builder query = QueryRequest.builder().tableName(commands.store().table())
                        .indexName(PENDING_INDEX)
                        .keyConditionExpression("#bucket = :bucket AND #expires <= :now")
                        .expressionAttributeNames(Map.of("#bucket", PENDING_BUCKET, "#expires", EXPIRES_AT))
                        .expressionAttributeValues(Map.of(":bucket", AttributeValue.fromS("pending#" + bucket),
                                ":now", AttributeValue.fromS(EventsTable.sortable(now))));
                if (startKey != null) {
                    query.exclusiveStartKey(startKey);
                }
                QueryResponse page = dynamo.query(query.build());
                for (Map<String, AttributeValue> head : page.items()) {
                    StreamId transfer = EventsTable.streamOf(head.get(PK).s());
                    boolean recorded = !commands.execute(correlationId,
                            ledger -> ledger.expirePendingTransfer(transfer.id())).events().isEmpty();
                    expired += recorded ? 1 : 0;
                }
                startKey = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                        ? page.lastEvaluatedKey() : null;
            } while (startKey != null);
        }
        return expired;
    }
}

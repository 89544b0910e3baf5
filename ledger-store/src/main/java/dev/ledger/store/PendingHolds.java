package dev.ledger.store;

import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferStatus;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The pending holds by expiry: a sparse index of the events table for the sweeper. Only the heads of
 * pending transfers carry its keys, which the append writes ({@link #addIndexKeys}); the bucket
 * spreads them over {@link #BUCKETS} partitions, and the sweeper reads each bucket up to now
 * ({@link #forEachOverdue}). This class is the one place that knows the index's name, keys and form.
 */
public final class PendingHolds {

    public static final String INDEX = "pending-holds-by-expiry";
    public static final String BUCKET = "pendingBucket";
    public static final String EXPIRES_AT = "expiresAt";
    public static final int BUCKETS = 16;

    /** Fixed-width UTC time (nine fraction digits), so strings sort as instants do in the index. */
    private static final DateTimeFormatter SORTABLE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final DynamoDbClient dynamo;
    private final String table;

    public PendingHolds(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /**
     * Hands every pending transfer or transaction (its stream) whose expiry is at or before {@code now} to {@code overdue}, bucket
     * by bucket, a page at a time (what it does with one may change the index under the next page).
     */
    public void forEachOverdue(Instant now, Consumer<StreamId> overdue) {
        for (int bucket = 0; bucket < BUCKETS; bucket++) {
            Map<String, AttributeValue> startKey = null;
            do {
                QueryRequest.Builder query = QueryRequest.builder().tableName(table)
                        .indexName(INDEX)
                        .keyConditionExpression("#bucket = :bucket AND #expires <= :now")
                        .expressionAttributeNames(Map.of("#bucket", BUCKET, "#expires", EXPIRES_AT))
                        .expressionAttributeValues(Map.of(":bucket", AttributeValue.fromS(bucket(bucket)),
                                ":now", AttributeValue.fromS(sortable(now))));
                if (startKey != null) {
                    query.exclusiveStartKey(startKey);
                }
                QueryResponse page = dynamo.query(query.build());
                for (Map<String, AttributeValue> head : page.items()) {
                    overdue.accept(EventsTable.streamOf(head.get(EventsTable.PK).s()));
                }
                startKey = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                        ? page.lastEvaluatedKey() : null;
            } while (startKey != null);
        }
    }

    /**
     * Puts the index keys into a head item when its state is a pending transfer or a pending multi-leg
     * transaction; else leaves it alone. The sweeper tells the two apart by the head's stream.
     */
    static void addIndexKeys(Map<String, AttributeValue> headItem, StreamState state) {
        if (state instanceof TransferState transfer && transfer.status() == TransferStatus.PENDING) {
            headItem.put(BUCKET, AttributeValue.fromS(bucketOf(transfer.transferId())));
            headItem.put(EXPIRES_AT, AttributeValue.fromS(sortable(transfer.expiresAt())));
        } else if (state instanceof TransactionState transaction && transaction.isPending()) {
            headItem.put(BUCKET, AttributeValue.fromS(bucketOf(transaction.transactionId())));
            headItem.put(EXPIRES_AT, AttributeValue.fromS(sortable(transaction.expiresAt())));
        }
    }

    /** The bucket a pending transfer's head sits in. */
    static String bucketOf(String transferId) {
        return bucket(Math.floorMod(transferId.hashCode(), BUCKETS));
    }

    private static String bucket(int number) {
        return "pending#" + number;
    }

    static String sortable(Instant instant) {
        return SORTABLE.format(instant);
    }
}

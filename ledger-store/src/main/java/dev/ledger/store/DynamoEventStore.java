package dev.ledger.store;

import static dev.ledger.store.EventsTable.HEAD_SK;
import static dev.ledger.store.EventsTable.PK;
import static dev.ledger.store.EventsTable.SK;

import dev.ledger.domain.api.StreamId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The event log on DynamoDB (layout and item mapping in {@link EventsTable}). Appends go through a
 * session, one per command attempt, as one conditional TransactWriteItems; reads of whole streams page
 * through a Query on the stream's own partition.
 */
public final class DynamoEventStore implements EventStore {

    /** DynamoDB's limit on the items of one TransactWriteItems call. */
    static final int MAX_TRANSACTION_ITEMS = 100;
    /** The most keys one BatchGetItem takes. */
    private static final int MAX_BATCH_GET = 100;

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoEventStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public String table() {
        return table;
    }

    @Override
    public StoreSession session() {
        return new DynamoStoreSession(this);
    }

    /** A stream's head, read strongly consistent so the version a command decides on is current. */
    @Override
    public Optional<Head> readHead(StreamId stream) {
        GetItemResponse response = dynamo.getItem(request -> request.tableName(table).consistentRead(true)
                .key(EventsTable.key(stream, HEAD_SK)));
        if (!response.hasItem() || response.item().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(EventsTable.toHead(response.item()));
    }

    /**
     * Heads in one BatchGetItem per 100 streams, strongly consistent like {@link #readHead}; keys the
     * service leaves unprocessed are asked again until none are left.
     */
    @Override
    public Map<StreamId, Optional<Head>> readHeads(Collection<StreamId> streams) {
        Map<StreamId, Optional<Head>> heads = new LinkedHashMap<>();
        streams.forEach(stream -> heads.put(stream, Optional.empty()));
        List<StreamId> all = List.copyOf(heads.keySet());
        for (int from = 0; from < all.size(); from += MAX_BATCH_GET) {
            List<Map<String, AttributeValue>> keys = all.subList(from, Math.min(all.size(), from + MAX_BATCH_GET))
                    .stream().map(stream -> EventsTable.key(stream, HEAD_SK)).toList();
            Map<String, KeysAndAttributes> asked = Map.of(table,
                    KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
            while (!asked.isEmpty()) {
                Map<String, KeysAndAttributes> ask = asked;
                BatchGetItemResponse response = dynamo.batchGetItem(request -> request.requestItems(ask));
                response.responses().getOrDefault(table, List.of()).forEach(item -> {
                    Head head = EventsTable.toHead(item);
                    heads.put(head.stream(), Optional.of(head));
                });
                asked = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            }
        }
        return heads;
    }

    @Override
    public Optional<StoredEvent> readEvent(StreamId stream, long version) {
        GetItemResponse response = dynamo.getItem(request -> request.tableName(table).consistentRead(true)
                .key(EventsTable.key(stream, version)));
        return response.hasItem() && !response.item().isEmpty()
                ? Optional.of(EventsTable.toEvent(response.item())) : Optional.empty();
    }

    /** The stream's events from {@code fromVersion} on, in version order, a page at a time. */
    @Override
    public Iterator<StoredEvent> readStream(StreamId stream, long fromVersion) {
        return new StreamPages(stream, Math.max(1, fromVersion), null);
    }

    /** As {@link #readStream(StreamId, long)}, each Query limited to {@code pageSize} events. */
    @Override
    public Iterator<StoredEvent> readStream(StreamId stream, long fromVersion, int pageSize) {
        return new StreamPages(stream, Math.max(1, fromVersion), pageSize);
    }

    /**
     * One Query on the checkpoints' partition, newest first from the greatest key at or below
     * {@code asOf}'s, one item: the seek costs one request however many checkpoints the stream has.
     */
    @Override
    public Optional<AccountCheckpoint> checkpointAt(StreamId stream, Instant asOf) {
        QueryResponse response = dynamo.query(query -> query.tableName(table).consistentRead(true)
                .scanIndexForward(false).limit(1)
                .keyConditionExpression("#pk = :pk AND #sk <= :last")
                .expressionAttributeNames(Map.of("#pk", PK, "#sk", SK))
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(EventsTable.checkpointPk(stream)),
                        ":last", AttributeValue.fromN(EventsTable.lastCheckpointSkAt(asOf)))));
        return response.items().stream().findFirst().map(EventsTable::toCheckpoint);
    }

    /** Every checkpoint of the stream, a Query page at a time, in recorded order. */
    @Override
    public Iterator<AccountCheckpoint> checkpoints(StreamId stream) {
        List<AccountCheckpoint> all = new ArrayList<>();
        Map<String, AttributeValue> startKey = null;
        do {
            QueryRequest.Builder query = QueryRequest.builder().tableName(table).consistentRead(true)
                    .keyConditionExpression("#pk = :pk")
                    .expressionAttributeNames(Map.of("#pk", PK))
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(EventsTable.checkpointPk(stream))));
            if (startKey != null) {
                query.exclusiveStartKey(startKey);
            }
            QueryResponse response = dynamo.query(query.build());
            response.items().forEach(item -> all.add(EventsTable.toCheckpoint(item)));
            startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (startKey != null);
        return all.iterator();
    }

    /** One Query on the stream's own partition, newest first; the head (sk 0) is outside its range. */
    @Override
    public List<StoredEvent> readBackward(StreamId stream, long before, int limit) {
        if (before <= 1) {
            return List.of();
        }
        QueryResponse response = dynamo.query(query -> query.tableName(table).consistentRead(true)
                .scanIndexForward(false).limit(limit)
                .keyConditionExpression("#pk = :pk AND #sk BETWEEN :first AND :last")
                .expressionAttributeNames(Map.of("#pk", PK, "#sk", SK))
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(EventsTable.pk(stream)),
                        ":first", AttributeValue.fromN("1"), ":last", AttributeValue.fromN(Long.toString(before - 1)))));
        return response.items().stream().map(EventsTable::toEvent).toList();
    }

    /** Writes all items in one transaction; a failed condition means another writer came first. */
    void transact(List<TransactWriteItem> items, String what) {
        if (items.size() > MAX_TRANSACTION_ITEMS) {
            throw new IllegalArgumentException(what + " needs " + items.size() + " items; a transaction holds "
                    + MAX_TRANSACTION_ITEMS);
        }
        try {
            dynamo.transactWriteItems(request -> request.transactItems(items));
        } catch (TransactionCanceledException e) {
            boolean conflict = e.hasCancellationReasons() && e.cancellationReasons().stream()
                    .map(CancellationReason::code)
                    .anyMatch(code -> "ConditionalCheckFailed".equals(code) || "TransactionConflict".equals(code));
            if (conflict) {
                throw new ConcurrentAppendException(what + " lost a race with another writer", e);
            }
            throw e;
        }
    }

    /** Pages through a stream with Query on its own partition key (sk >= from), one page in memory. */
    private final class StreamPages implements Iterator<StoredEvent> {
        private final StreamId stream;
        private Iterator<Map<String, AttributeValue>> page = List.<Map<String, AttributeValue>>of().iterator();
        private Map<String, AttributeValue> startKey;
        private boolean exhausted;
        private final long fromVersion;
        /** Null: pages of up to 1 MB, as DynamoDB cuts them. */
        private final Integer pageSize;

        StreamPages(StreamId stream, long fromVersion, Integer pageSize) {
            this.stream = stream;
            this.fromVersion = fromVersion;
            this.pageSize = pageSize;
        }

        @Override
        public boolean hasNext() {
            while (!page.hasNext() && !exhausted) {
                QueryRequest.Builder query = QueryRequest.builder().tableName(table).consistentRead(true)
                        .keyConditionExpression("#pk = :pk AND #sk >= :from")
                        .expressionAttributeNames(Map.of("#pk", PK, "#sk", SK))
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(EventsTable.pk(stream)),
                                ":from", AttributeValue.fromN(Long.toString(fromVersion))));
                if (startKey != null) {
                    query.exclusiveStartKey(startKey);
                }
                if (pageSize != null) {
                    query.limit(pageSize);
                }
                QueryResponse response = dynamo.query(query.build());
                page = response.items().iterator();
                startKey = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                        ? response.lastEvaluatedKey() : null;
                exhausted = startKey == null;
            }
            return page.hasNext();
        }

        @Override
        public StoredEvent next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return EventsTable.toEvent(page.next());
        }
    }
}

package dev.ledger.store;

import static dev.ledger.store.EventsTable.VERSION;

import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.ledger.VersionCheck;
import dev.ledger.store.EventStore.Head;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * One command attempt against the DynamoDB log: the heads it loaded (version, hash, creation time),
 * then {@link #append} of the domain's result as one TransactWriteItems: every new event (conditional
 * on its version being free) and every stream's head (conditional on still being at the version this
 * session read).
 */
final class DynamoStoreSession implements StoreSession {

    private final DynamoEventStore store;
    private final Map<StreamId, Optional<Head>> heads = new HashMap<>();

    DynamoStoreSession(DynamoEventStore store) {
        this.store = store;
    }

    @Override
    public Optional<Head> head(StreamId stream) {
        return heads.computeIfAbsent(stream, store::readHead);
    }

    @Override
    public List<Optional<Head>> heads(List<StreamId> streams) {
        List<StreamId> unread = streams.stream().filter(stream -> !heads.containsKey(stream)).distinct().toList();
        if (!unread.isEmpty()) {
            heads.putAll(store.readHeads(unread));
        }
        return streams.stream().map(heads::get).toList();
    }

    @Override
    public List<StoredEvent> append(LedgerResult result, Instant recordedAt, String correlationId) {
        List<TransactWriteItem> items = new ArrayList<>();
        List<StoredEvent> stored = new ArrayList<>();
        EffectiveDates effective = EffectiveDates.of(result.changes());
        for (StreamChange change : result.changes()) {
            // A stream the command starts (a new transfer, a new shard) is not read first: the append's
            // attribute_not_exists condition is the check, and a read would only widen the window in which
            // another writer can get in first (a raise of 30 shards read 30 heads before it wrote).
            Optional<Head> head = change.expectedVersion() == 0 && !heads.containsKey(change.stream())
                    ? Optional.empty() : head(change.stream());
            long version = head.map(Head::version).orElse(0L);
            String hash = head.map(Head::hash).orElse(HashChain.GENESIS);
            for (StoredEvent event : StreamAppend.events(change, version, hash, recordedAt, correlationId,
                    effective)) {
                stored.add(event);
                items.add(TransactWriteItem.builder().put(Put.builder().tableName(store.table())
                        .item(EventsTable.toItem(event))
                        .conditionExpression("attribute_not_exists(pk)").build()).build());
                version = event.version();
                hash = event.hash();
            }
            Instant createdAt = head.map(Head::createdAt).orElse(recordedAt);
            items.add(TransactWriteItem.builder().put(headPut(change, version, hash, createdAt)).build());
        }
        for (VersionCheck check : result.checks()) {
            items.add(TransactWriteItem.builder().conditionCheck(versionCheck(check)).build());
        }
        // Checkpoints go in the same transaction as the events they repeat, as many as it has room for: the
        // domain sizes its appends to the 100 items without them, and a checkpoint left out only costs the
        // as-of reads of that stretch some more events.
        for (AccountCheckpoint checkpoint : StreamAppend.checkpoints(result, stored)) {
            if (items.size() >= DynamoEventStore.MAX_TRANSACTION_ITEMS) {
                break;
            }
            items.add(TransactWriteItem.builder().put(Put.builder().tableName(store.table())
                    .item(EventsTable.checkpointItem(checkpoint))
                    .conditionExpression("attribute_not_exists(pk)").build()).build());
        }
        if (!items.isEmpty()) {
            store.transact(items, "appending to " + result.subject());
        }
        return stored;
    }

    /** A stream the decision relied on, unchanged: still at the version read (0: still absent). */
    private ConditionCheck versionCheck(VersionCheck check) {
        ConditionCheck.Builder condition = ConditionCheck.builder().tableName(store.table())
                .key(EventsTable.key(check.stream(), EventsTable.HEAD_SK));
        if (check.version() == 0) {
            condition.conditionExpression("attribute_not_exists(pk)");
        } else {
            condition.conditionExpression("#v = :expected")
                    .expressionAttributeNames(Map.of("#v", VERSION))
                    .expressionAttributeValues(Map.of(":expected", AttributeValue.fromN(Long.toString(check.version()))));
        }
        return condition.build();
    }

    private Put headPut(StreamChange change, long version, String hash, Instant createdAt) {
        Map<String, AttributeValue> item = EventsTable.headItem(change.stream(), version, hash, change.stateAfter(),
                createdAt);
        Put.Builder put = Put.builder().tableName(store.table()).item(item);
        if (change.expectedVersion() == 0) {
            put.conditionExpression("attribute_not_exists(pk)");
        } else {
            put.conditionExpression("#v = :expected")
                    .expressionAttributeNames(Map.of("#v", VERSION))
                    .expressionAttributeValues(Map.of(":expected",
                            AttributeValue.fromN(Long.toString(change.expectedVersion()))));
        }
        return put.build();
    }
}

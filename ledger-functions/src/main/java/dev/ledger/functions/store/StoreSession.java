package dev.ledger.functions.store;

import static dev.ledger.functions.store.EventsTable.CREATED_AT;
import static dev.ledger.functions.store.EventsTable.EXPIRES_AT;
import static dev.ledger.functions.store.EventsTable.HASH;
import static dev.ledger.functions.store.EventsTable.HEAD_SK;
import static dev.ledger.functions.store.EventsTable.PENDING_BUCKET;
import static dev.ledger.functions.store.EventsTable.STATE;
import static dev.ledger.functions.store.EventsTable.VERSION;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.LedgerStreams;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.ledger.Versioned;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferStatus;
import dev.ledger.functions.store.DynamoEventStore.Head;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * One command attempt against the log: the {@link LedgerStreams} the domain reads, remembering each
 * head it loaded (version, hash, creation time), then {@link #commit} of the domain's result as one
 * TransactWriteItems: every new event (conditional on its version being free) and every stream's
 * head (conditional on still being at the version this session read).
 */
public final class StoreSession implements LedgerStreams {

    private final DynamoEventStore store;
    private final Map<StreamId, Optional<Head>> heads = new HashMap<>();

    StoreSession(DynamoEventStore store) {
        this.store = store;
    }

    @Override
    public Optional<Versioned<AccountState>> account(String accountId) {
        return head(StreamId.account(accountId))
                .map(head -> new Versioned<>(StateCodec.decodeAccount(head.state()), head.version()));
    }

    @Override
    public Optional<Versioned<TransferState>> transfer(String transferId) {
        return head(StreamId.transfer(transferId))
                .map(head -> new Versioned<>(StateCodec.decodeTransfer(head.state()), head.version()));
    }

    /** The head as this session loaded it (loading it now if it was not yet). */
    public Optional<Head> head(StreamId stream) {
        return heads.computeIfAbsent(stream, store::readHead);
    }

    /**
     * Appends every change of the result atomically. Events get {@code recordedAt} and
     * {@code correlationId} in their envelope and extend their stream's hash chain.
     *
     * @return the events as stored, in append order
     * @throws ConcurrentAppendException if any stream moved since this session read it
     */
    public List<StoredEvent> commit(LedgerResult result, Instant recordedAt, String correlationId) {
        List<TransactWriteItem> items = new ArrayList<>();
        List<StoredEvent> stored = new ArrayList<>();
        for (StreamChange change : result.changes()) {
            Optional<Head> head = head(change.stream());
            long loadedVersion = head.map(Head::version).orElse(0L);
            if (loadedVersion != change.expectedVersion()) {
                throw new IllegalStateException(change.stream() + " was decided at version "
                        + change.expectedVersion() + " but loaded at " + loadedVersion);
            }
            String hash = head.map(Head::hash).orElse(HashChain.GENESIS);
            long version = change.expectedVersion();
            for (LedgerEvent event : change.events()) {
                version++;
                EventCodec.Encoded encoded = EventCodec.encode(event);
                StoredEvent unhashed = new StoredEvent(change.stream(), version, encoded.type(),
                        encoded.schemaVersion(), recordedAt, EventCodec.transferIdOf(event), correlationId,
                        CanonicalJson.string(encoded.body()), null);
                hash = HashChain.next(hash, unhashed.canonicalBytes());
                StoredEvent event1 = withHash(unhashed, hash);
                stored.add(event1);
                items.add(TransactWriteItem.builder().put(Put.builder().tableName(store.table())
                        .item(DynamoEventStore.toItem(event1))
                        .conditionExpression("attribute_not_exists(pk)").build()).build());
            }
            Instant createdAt = head.map(Head::createdAt).orElse(recordedAt);
            items.add(TransactWriteItem.builder().put(headPut(change, version, hash, createdAt)).build());
        }
        if (!items.isEmpty()) {
            store.transact(items, "appending to " + result.subject());
        }
        return stored;
    }

    private Put headPut(StreamChange change, long version, String hash, Instant createdAt) {
        Map<String, AttributeValue> item = headItem(change.stream(), version, hash, change.stateAfter(), createdAt);
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

    /**
     * A stream's head item (sk 0) at {@code version}: its last hash, the snapshot of its state, when the
     * stream began, and for a pending hold the sweeper's index keys.
     */
    static Map<String, AttributeValue> headItem(StreamId stream, long version, String hash, StreamState state,
                                                Instant createdAt) {
        Map<String, AttributeValue> item = DynamoEventStore.key(stream, HEAD_SK);
        item.put(VERSION, AttributeValue.fromN(Long.toString(version)));
        item.put(HASH, AttributeValue.fromS(hash));
        item.put(STATE, AttributeValue.fromS(StateCodec.encode(state)));
        item.put(CREATED_AT, AttributeValue.fromS(createdAt.toString()));
        if (state instanceof TransferState transfer && transfer.status() == TransferStatus.PENDING) {
            item.put(PENDING_BUCKET, AttributeValue.fromS(EventsTable.pendingBucket(transfer.transferId())));
            item.put(EXPIRES_AT, AttributeValue.fromS(EventsTable.sortable(transfer.expiresAt())));
        }
        return item;
    }

    private static StoredEvent withHash(StoredEvent event, String hash) {
        return new StoredEvent(event.stream(), event.version(), event.type(), event.schemaVersion(),
                event.recordedAt(), event.transferId(), event.correlationId(), event.data(), hash);
    }
}

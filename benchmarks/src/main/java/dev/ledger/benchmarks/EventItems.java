package dev.ledger.benchmarks;

import static dev.ledger.functions.store.EventsTable.CORRELATION_ID;
import static dev.ledger.functions.store.EventsTable.CREATED_AT;
import static dev.ledger.functions.store.EventsTable.DATA;
import static dev.ledger.functions.store.EventsTable.HASH;
import static dev.ledger.functions.store.EventsTable.HEAD_SK;
import static dev.ledger.functions.store.EventsTable.PK;
import static dev.ledger.functions.store.EventsTable.RECORDED_AT;
import static dev.ledger.functions.store.EventsTable.SCHEMA_VERSION;
import static dev.ledger.functions.store.EventsTable.SK;
import static dev.ledger.functions.store.EventsTable.STATE;
import static dev.ledger.functions.store.EventsTable.TRANSFER_ID;
import static dev.ledger.functions.store.EventsTable.TYPE;
import static dev.ledger.functions.store.EventsTable.VERSION;

import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferStatus;
import dev.ledger.functions.store.CanonicalJson;
import dev.ledger.functions.store.DynamoEventStore;
import dev.ledger.functions.store.EventCodec;
import dev.ledger.functions.store.EventsTable;
import dev.ledger.functions.store.HashChain;
import dev.ledger.functions.store.StateCodec;
import dev.ledger.functions.store.StoredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The events table's items for events the benchmarks produce without a command round trip, built
 * as the store builds them (StoreSession.commit, DynamoEventStore.toItem, whose item mapping is
 * package-private). {@link #checkRoundTrip} proves an item reads back as the event it came from
 * through the store's own reader, so the two cannot drift apart unnoticed.
 */
final class EventItems {

    private EventItems() {
    }

    /** Where a stream stands: its version, the last link of its hash chain and its state there. */
    record Head(StreamId stream, long version, String hash, StreamState state, Instant createdAt) {
    }

    /** The stored form of a change's events, chained from {@code head} (null for a new stream). */
    static List<StoredEvent> encode(StreamChange change, Head head, Instant recordedAt, String correlationId) {
        long loaded = head == null ? 0 : head.version();
        if (loaded != change.expectedVersion()) {
            throw new IllegalStateException(change.stream() + " was decided at version " + change.expectedVersion()
                    + " but stands at " + loaded);
        }
        String hash = head == null ? HashChain.GENESIS : head.hash();
        long version = change.expectedVersion();
        List<StoredEvent> stored = new ArrayList<>();
        for (LedgerEvent event : change.events()) {
            version++;
            EventCodec.Encoded encoded = EventCodec.encode(event);
            StoredEvent unhashed = new StoredEvent(change.stream(), version, encoded.type(), encoded.schemaVersion(),
                    recordedAt, EventCodec.transferIdOf(event), correlationId, CanonicalJson.string(encoded.body()),
                    null);
            hash = HashChain.next(hash, unhashed.canonicalBytes());
            stored.add(new StoredEvent(unhashed.stream(), unhashed.version(), unhashed.type(),
                    unhashed.schemaVersion(), unhashed.recordedAt(), unhashed.transferId(), unhashed.correlationId(),
                    unhashed.data(), hash));
        }
        return stored;
    }

    /** An event's item, as DynamoEventStore.toItem writes it. */
    static Map<String, AttributeValue> eventItem(StoredEvent event) {
        var item = key(event.stream(), event.version());
        item.put(TYPE, s(event.type()));
        item.put(SCHEMA_VERSION, n(event.schemaVersion()));
        item.put(RECORDED_AT, s(event.recordedAt().toString()));
        if (event.transferId() != null) {
            item.put(TRANSFER_ID, s(event.transferId()));
        }
        item.put(CORRELATION_ID, s(event.correlationId()));
        item.put(DATA, s(event.data()));
        item.put(HASH, s(event.hash()));
        return item;
    }

    /** A stream's head item (sk 0), with the pending-hold index keys when the stream is a pending transfer. */
    static Map<String, AttributeValue> headItem(Head head) {
        var item = key(head.stream(), HEAD_SK);
        item.put(VERSION, n(head.version()));
        item.put(HASH, s(head.hash()));
        item.put(STATE, s(StateCodec.encode(head.state())));
        item.put(CREATED_AT, s(head.createdAt().toString()));
        if (head.state() instanceof TransferState transfer && transfer.status() == TransferStatus.PENDING) {
            item.put(EventsTable.PENDING_BUCKET, s(EventsTable.pendingBucket(transfer.transferId())));
            item.put(EventsTable.EXPIRES_AT, s(EventsTable.sortable(transfer.expiresAt())));
        }
        return item;
    }

    /** Fails unless the store's own reader turns the item back into exactly this event. */
    static void checkRoundTrip(StoredEvent event) {
        StoredEvent read = DynamoEventStore.toEvent(eventItem(event));
        if (!read.equals(event)) {
            throw new IllegalStateException("the benchmark's event item does not read back as the store's: " + event
                    + " became " + read);
        }
    }

    private static Map<String, AttributeValue> key(StreamId stream, long sk) {
        Map<String, AttributeValue> key = new HashMap<>();
        key.put(PK, s(EventsTable.pk(stream)));
        key.put(SK, n(sk));
        return key;
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}

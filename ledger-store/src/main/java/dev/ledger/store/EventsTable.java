package dev.ledger.store;

import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import java.math.BigInteger;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The layout of the events table. Partition key {@code pk} is the stream ("account:ID",
 * "transfer:ID" or "transaction:ID"); sort key {@code sk} is the event version (1, 2, 3... gap-free). The item at
 * {@code sk = 0} is the stream's head: its version, last hash and a snapshot of its state, updated in
 * the same transaction as every append, so loading a stream reads one item whatever its length. The heads
 * of pending holds (transfers and transactions) also carry the keys of a sparse index, which {@link PendingHolds} owns.
 *
 * <p>This class is the one mapping between events and heads and their items: the store writes and
 * reads through it, and so do the stream consumers, the tools and the benchmarks.
 */
public final class EventsTable {

    public static final String PK = "pk";
    public static final String SK = "sk";
    public static final long HEAD_SK = 0;

    // Event items
    public static final String TYPE = "type";
    public static final String SCHEMA_VERSION = "schemaVersion";
    public static final String RECORDED_AT = "recordedAt";
    public static final String TRANSFER_ID = "transferId";
    public static final String CORRELATION_ID = "correlationId";
    public static final String DATA = "data";
    public static final String HASH = "hash";
    /** Only on an event with an effective date (issue 16); see {@link StoredEvent#effectiveAt}. */
    public static final String EFFECTIVE_AT = "effectiveAt";

    // Head items
    public static final String VERSION = "version";
    public static final String STATE = "state";
    public static final String CREATED_AT = "createdAt";

    /**
     * Checkpoints ({@link AccountCheckpoint}) live in a partition of their own beside their stream's,
     * {@code "checkpoint#account:ID"}, so the stream's own partition and every reader of it are untouched;
     * scanners that take streams by their key's prefix ({@code account:}) or heads by {@code sk = 0} never
     * meet them. Their sort key orders them by recorded time, then version: {@link #checkpointSk}.
     */
    public static final String CHECKPOINT_PREFIX = "checkpoint#";
    /** Room for a version in the low digits of a checkpoint's sort key. */
    private static final BigInteger VERSION_DIGITS = BigInteger.TEN.pow(12);
    private static final BigInteger NANOS = BigInteger.valueOf(1_000_000_000L);

    private EventsTable() {
    }

    public static String pk(StreamId stream) {
        return stream.toString();
    }

    public static StreamId streamOf(String pk) {
        int colon = pk.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not a stream key: " + pk);
        }
        return new StreamId(StreamId.StreamType.valueOf(pk.substring(0, colon).toUpperCase(Locale.ROOT)), pk.substring(colon + 1));
    }

    /** The key of a stream's item at {@code sk}: its head at {@link #HEAD_SK}, else the event of that version. */
    public static Map<String, AttributeValue> key(StreamId stream, long sk) {
        Map<String, AttributeValue> key = new HashMap<>();
        key.put(PK, AttributeValue.fromS(pk(stream)));
        key.put(SK, AttributeValue.fromN(Long.toString(sk)));
        return key;
    }

    /** An event's item, as the store writes it. */
    public static Map<String, AttributeValue> toItem(StoredEvent event) {
        Map<String, AttributeValue> item = key(event.stream(), event.version());
        item.put(TYPE, AttributeValue.fromS(event.type()));
        item.put(SCHEMA_VERSION, AttributeValue.fromN(Integer.toString(event.schemaVersion())));
        item.put(RECORDED_AT, AttributeValue.fromS(event.recordedAt().toString()));
        if (event.transferId() != null) {
            item.put(TRANSFER_ID, AttributeValue.fromS(event.transferId()));
        }
        item.put(CORRELATION_ID, AttributeValue.fromS(event.correlationId()));
        item.put(DATA, AttributeValue.fromS(event.data()));
        item.put(HASH, AttributeValue.fromS(event.hash()));
        if (event.effectiveAt() != null) {
            item.put(EFFECTIVE_AT, AttributeValue.fromS(event.effectiveAt().toString()));
        }
        return item;
    }

    /** Reads an event item as stored: also used by stream consumers on the NEW_IMAGE of a record. */
    public static StoredEvent toEvent(Map<String, AttributeValue> item) {
        AttributeValue transferId = item.get(TRANSFER_ID);
        AttributeValue effectiveAt = item.get(EFFECTIVE_AT);
        return new StoredEvent(streamOf(item.get(PK).s()), Long.parseLong(item.get(SK).n()),
                item.get(TYPE).s(), Integer.parseInt(item.get(SCHEMA_VERSION).n()),
                Instant.parse(item.get(RECORDED_AT).s()), transferId == null ? null : transferId.s(),
                item.get(CORRELATION_ID).s(), item.get(DATA).s(), item.get(HASH).s(),
                effectiveAt == null ? null : Instant.parse(effectiveAt.s()));
    }

    /**
     * A stream's head item (sk 0) at {@code version}: its last hash, the snapshot of its state, when the
     * stream began, and for a pending hold the sweeper's index keys.
     */
    public static Map<String, AttributeValue> headItem(StreamId stream, long version, String hash, StreamState state,
                                                       Instant createdAt) {
        Map<String, AttributeValue> item = key(stream, HEAD_SK);
        item.put(VERSION, AttributeValue.fromN(Long.toString(version)));
        item.put(HASH, AttributeValue.fromS(hash));
        item.put(STATE, AttributeValue.fromS(StateCodec.encode(state)));
        item.put(CREATED_AT, AttributeValue.fromS(createdAt.toString()));
        PendingHolds.addIndexKeys(item, state);
        return item;
    }

    /** The partition of a stream's checkpoints. */
    public static String checkpointPk(StreamId stream) {
        return CHECKPOINT_PREFIX + pk(stream);
    }

    /** Whether an item of the events table is a checkpoint: neither an event nor a head. */
    public static boolean isCheckpoint(Map<String, AttributeValue> item) {
        AttributeValue pk = item.get(PK);
        return pk != null && pk.s() != null && pk.s().startsWith(CHECKPOINT_PREFIX);
    }

    /**
     * A checkpoint's sort key: its recorded time in nanoseconds since the epoch, then its version in twelve
     * digits, as one number (31 digits: DynamoDB keeps 38 exactly; too large for a long, so every reader
     * of the table tells a checkpoint by its partition ({@link #isCheckpoint}) before parsing a key). A
     * Query for the greatest key at or below {@code checkpointSk(asOf, 10^12 - 1)} finds the last
     * checkpoint recorded at or before {@code asOf} in one request.
     */
    public static String checkpointSk(Instant recordedAt, long version) {
        if (version < 0 || version >= VERSION_DIGITS.longValueExact()) {
            throw new IllegalArgumentException("version " + version + " does not fit a checkpoint's key");
        }
        BigInteger nanos = BigInteger.valueOf(recordedAt.getEpochSecond()).multiply(NANOS)
                .add(BigInteger.valueOf(recordedAt.getNano()));
        return nanos.multiply(VERSION_DIGITS).add(BigInteger.valueOf(version)).toString();
    }

    /** The greatest checkpoint key of anything recorded at or before {@code asOf}. */
    public static String lastCheckpointSkAt(Instant asOf) {
        return checkpointSk(asOf, VERSION_DIGITS.longValueExact() - 1);
    }

    /** A checkpoint's item, as the store writes it. */
    public static Map<String, AttributeValue> checkpointItem(AccountCheckpoint checkpoint) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, AttributeValue.fromS(checkpointPk(checkpoint.stream())));
        item.put(SK, AttributeValue.fromN(checkpointSk(checkpoint.recordedAt(), checkpoint.version())));
        item.put(VERSION, AttributeValue.fromN(Long.toString(checkpoint.version())));
        item.put(RECORDED_AT, AttributeValue.fromS(checkpoint.recordedAt().toString()));
        item.put(HASH, AttributeValue.fromS(checkpoint.hash()));
        item.put(STATE, AttributeValue.fromS(StateCodec.encode(checkpoint.state())));
        return item;
    }

    /** Reads a checkpoint item as stored. */
    public static AccountCheckpoint toCheckpoint(Map<String, AttributeValue> item) {
        return new AccountCheckpoint(streamOf(item.get(PK).s().substring(CHECKPOINT_PREFIX.length())),
                Long.parseLong(item.get(VERSION).n()), Instant.parse(item.get(RECORDED_AT).s()), item.get(HASH).s(),
                StateCodec.decodeAccount(item.get(STATE).s()));
    }

    /** Reads a head item (sk 0) as stored: the stream's version, last hash, snapshot and creation time. */
    public static EventStore.Head toHead(Map<String, AttributeValue> item) {
        return new EventStore.Head(streamOf(item.get(PK).s()), Long.parseLong(item.get(VERSION).n()),
                item.get(HASH).s(), item.get(STATE).s(), Instant.parse(item.get(CREATED_AT).s()));
    }
}

package dev.ledger.functions.store;

import dev.ledger.domain.api.StreamId;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The layout of the events table. Partition key {@code pk} is the stream ("account:ID" or
 * "transfer:ID"); sort key {@code sk} is the event version (1, 2, 3... gap-free). The item at
 * {@code sk = 0} is the stream's head: its version, last hash and a snapshot of its state, updated in
 * the same transaction as every append, so loading a stream reads one item whatever its length.
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

    // Head items
    public static final String VERSION = "version";
    public static final String STATE = "state";
    public static final String CREATED_AT = "createdAt";

    /**
     * A sparse index of pending holds by expiry, for the sweeper. Only heads of pending transfers
     * carry its keys; the bucket spreads them over {@link #PENDING_BUCKETS} partitions.
     */
    public static final String PENDING_INDEX = "pending-holds-by-expiry";
    public static final String PENDING_BUCKET = "pendingBucket";
    public static final String EXPIRES_AT = "expiresAt";
    public static final int PENDING_BUCKETS = 16;

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

    /** Fixed-width UTC time (nine fraction digits), so strings sort as instants do in the index. */
    private static final DateTimeFormatter SORTABLE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    public static String sortable(Instant instant) {
        return SORTABLE.format(instant);
    }

    public static String pendingBucket(String transferId) {
        return "pending#" + Math.floorMod(transferId.hashCode(), PENDING_BUCKETS);
    }
}

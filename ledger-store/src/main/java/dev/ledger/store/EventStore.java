package dev.ledger.store;

import dev.ledger.domain.api.StreamId;
import java.time.Instant;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ledger's event log, as the command side and the readers of the log use it: one stream per
 * account and per transfer, each a gap-free sequence of versions 1, 2, 3... under a head that says
 * where the stream stands. A command reads heads and appends through a {@link #session()}; the
 * append is conditional on every stream still being at the version the session read (EventStoreDB's
 * expected revision), so of two writers deciding on the same version exactly one wins and the other
 * gets a {@link ConcurrentAppendException}.
 *
 * <p>{@link DynamoEventStore} is the log in production; {@link InMemoryEventStore} keeps the same
 * promises in memory for unit tests and benchmarks.
 */
public interface EventStore {

    /** A fresh unit of work: it remembers the heads it loads, and appends against them. */
    StoreSession session();

    /** A stream's head as it is now; empty if the stream has no events yet. */
    Optional<Head> readHead(StreamId stream);

    /**
     * Several streams' heads as they are now, each read as {@link #readHead} reads one; absent streams
     * map to empty. The DynamoDB store reads them in one request.
     */
    default Map<StreamId, Optional<Head>> readHeads(Collection<StreamId> streams) {
        Map<StreamId, Optional<Head>> heads = new LinkedHashMap<>();
        streams.forEach(stream -> heads.put(stream, readHead(stream)));
        return heads;
    }

    /** One event of a stream, by version. */
    Optional<StoredEvent> readEvent(StreamId stream, long version);

    /** The stream's events from {@code fromVersion} on, in version order. */
    Iterator<StoredEvent> readStream(StreamId stream, long fromVersion);

    /**
     * The stream's events from {@code fromVersion} on, in version order, read {@code pageSize} at a time: a
     * reader that knows it needs few events (an as-of fold after a checkpoint) reads no more than that per
     * request.
     */
    default Iterator<StoredEvent> readStream(StreamId stream, long fromVersion, int pageSize) {
        return readStream(stream, fromVersion);
    }

    /**
     * The last checkpoint of an account stream recorded at or before {@code asOf} ({@link AccountCheckpoint});
     * empty if there is none. A store that keeps none answers empty: readers then fold from version 1.
     */
    default Optional<AccountCheckpoint> checkpointAt(StreamId stream, Instant asOf) {
        return Optional.empty();
    }

    /** Every checkpoint of a stream, in recorded order: what {@code replay verify} recomputes. */
    default Iterator<AccountCheckpoint> checkpoints(StreamId stream) {
        return java.util.Collections.emptyIterator();
    }

    /**
     * At most {@code limit} of the stream's events before version {@code before}, newest first: a page of a
     * listing that starts at the end (the audit trail's).
     */
    List<StoredEvent> readBackward(StreamId stream, long before, int limit);

    /**
     * Where a stream stands: its version (the expected revision of the next append), the last link of
     * its hash chain, the snapshot of its state there ({@link StateCodec}) and when the stream began.
     */
    record Head(StreamId stream, long version, String hash, String state, Instant createdAt) {
    }
}

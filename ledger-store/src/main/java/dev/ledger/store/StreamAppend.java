package dev.ledger.store;

import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.StreamChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How an append extends a stream: the change's events in their stored form, numbered on from the
 * version the change was decided at, each hashed onto the chain from the head's hash. Every writer of
 * the log (the DynamoDB store, the in-memory one, the benchmarks' seeder) extends chains through here.
 */
public final class StreamAppend {

    private StreamAppend() {
    }

    /**
     * @param headVersion where the stream stands (0 before its first event); must be the version the
     *     change was decided at
     * @param headHash the stream's last hash ({@link HashChain#GENESIS} before its first event)
     * @return the events as they are to be stored, in order, each carrying its link of the chain
     */
    public static List<StoredEvent> events(StreamChange change, long headVersion, String headHash, Instant recordedAt,
                                           String correlationId) {
        return events(change, headVersion, headHash, recordedAt, correlationId, EffectiveDates.none());
    }

    /** As above, each event with the effective date its append gives it ({@link EffectiveDates}). */
    static List<StoredEvent> events(StreamChange change, long headVersion, String headHash, Instant recordedAt,
                                    String correlationId, EffectiveDates effective) {
        if (headVersion != change.expectedVersion()) {
            throw new IllegalStateException(change.stream() + " was decided at version "
                    + change.expectedVersion() + " but loaded at " + headVersion);
        }
        String hash = headHash;
        long version = change.expectedVersion();
        List<StoredEvent> stored = new ArrayList<>();
        for (LedgerEvent event : change.events()) {
            version++;
            EventCodec.Encoded encoded = EventCodec.encode(event);
            StoredEvent unhashed = new StoredEvent(change.stream(), version, encoded.type(),
                    encoded.schemaVersion(), recordedAt, EventCodec.transferIdOf(event), correlationId,
                    CanonicalJson.string(encoded.body()), null, effective.of(event));
            hash = HashChain.next(hash, unhashed.canonicalBytes());
            stored.add(new StoredEvent(unhashed.stream(), unhashed.version(), unhashed.type(),
                    unhashed.schemaVersion(), unhashed.recordedAt(), unhashed.transferId(), unhashed.correlationId(),
                    unhashed.data(), hash, unhashed.effectiveAt()));
        }
        return stored;
    }

    /**
     * Whether {@code next}, the event after {@code event} in one stream, was written by the same append, as far
     * as the stored events tell: an append gives all its events one recorded time and one correlation id
     * ({@link #events}). Two appends that share both (a clock that did not move, one correlation id for both)
     * read as one; a reader that needs the exact boundary must not rely on this.
     */
    public static boolean sameAppend(StoredEvent event, StoredEvent next) {
        return event.recordedAt().equals(next.recordedAt()) && Objects.equals(event.correlationId(), next.correlationId());
    }

    /**
     * The checkpoints an append owes ({@link AccountCheckpoint#due}), in the order of its changes. Every
     * writer of the log writes them in the same append as {@code stored}, as many as the append has room for.
     *
     * @param stored the append's events as stored, in append order
     */
    public static List<AccountCheckpoint> checkpoints(LedgerResult result, List<StoredEvent> stored) {
        List<AccountCheckpoint> due = new ArrayList<>();
        for (StreamChange change : result.changes()) {
            List<StoredEvent> appended = stored.stream().filter(event -> event.stream().equals(change.stream())).toList();
            AccountCheckpoint.due(change, change.expectedVersion(), appended).ifPresent(due::add);
        }
        return due;
    }
}

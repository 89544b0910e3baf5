package dev.ledger.store;

import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.ledger.VersionCheck;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The event log in memory, with the promises of {@link DynamoEventStore}: an append is all or nothing,
 * conditional on every stream still standing at the version its session read (else a
 * {@link ConcurrentAppendException}), limited to the items one DynamoDB transaction holds, and its
 * events are encoded and hash-chained exactly as the DynamoDB store stores them ({@link StreamAppend}).
 * For unit tests and benchmarks; safe to share between threads.
 */
public final class InMemoryEventStore implements EventStore {

    private final Map<StreamId, Head> heads = new HashMap<>();
    private final Map<StreamId, List<StoredEvent>> events = new HashMap<>();
    /** Each stream's checkpoints, in the order of their keys in the DynamoDB table: recorded time, then version. */
    private final Map<StreamId, java.util.TreeMap<String, AccountCheckpoint>> checkpoints = new HashMap<>();
    /** Orders checkpoint keys as DynamoDB orders the numbers they are. */
    private static final java.util.Comparator<String> NUMERIC = java.util.Comparator.comparing(java.math.BigInteger::new);

    @Override
    public StoreSession session() {
        return new Session();
    }

    @Override
    public synchronized Optional<Head> readHead(StreamId stream) {
        return Optional.ofNullable(heads.get(stream));
    }

    @Override
    public synchronized Optional<StoredEvent> readEvent(StreamId stream, long version) {
        List<StoredEvent> stored = events.getOrDefault(stream, List.of());
        return version >= 1 && version <= stored.size() ? Optional.of(stored.get((int) version - 1)) : Optional.empty();
    }

    @Override
    public synchronized List<StoredEvent> readBackward(StreamId stream, long before, int limit) {
        List<StoredEvent> newestFirst = new java.util.ArrayList<>(events.getOrDefault(stream, List.of()).stream()
                .filter(event -> event.version() < before).toList());
        java.util.Collections.reverse(newestFirst);
        return List.copyOf(newestFirst.subList(0, Math.min(limit, newestFirst.size())));
    }

    @Override
    public synchronized Iterator<StoredEvent> readStream(StreamId stream, long fromVersion) {
        List<StoredEvent> stored = events.getOrDefault(stream, List.of());
        int from = (int) Math.min(Math.max(1, fromVersion) - 1, stored.size());
        return List.copyOf(stored.subList(from, stored.size())).iterator();
    }

    @Override
    public synchronized Optional<AccountCheckpoint> checkpointAt(StreamId stream, Instant asOf) {
        java.util.TreeMap<String, AccountCheckpoint> kept = checkpoints.get(stream);
        return kept == null ? Optional.empty()
                : Optional.ofNullable(kept.floorEntry(EventsTable.lastCheckpointSkAt(asOf))).map(Map.Entry::getValue);
    }

    @Override
    public synchronized Iterator<AccountCheckpoint> checkpoints(StreamId stream) {
        return List.copyOf(checkpoints.getOrDefault(stream, new java.util.TreeMap<>()).values()).iterator();
    }

    /** Appends if every stream stands where the session read it; all of it, or nothing. */
    private synchronized List<StoredEvent> append(Map<StreamId, Optional<Head>> read, LedgerResult result,
                                                  Instant recordedAt, String correlationId) {
        List<StoredEvent> stored = new ArrayList<>();
        Map<StreamId, Head> after = new HashMap<>();
        EffectiveDates effective = EffectiveDates.of(result.changes());
        for (StreamChange change : result.changes()) {
            Optional<Head> loaded = read.computeIfAbsent(change.stream(), this::readHead);
            List<StoredEvent> appended = StreamAppend.events(change, loaded.map(Head::version).orElse(0L),
                    loaded.map(Head::hash).orElse(HashChain.GENESIS), recordedAt, correlationId, effective);
            StoredEvent last = appended.isEmpty() ? null : appended.get(appended.size() - 1);
            after.put(change.stream(), new Head(change.stream(),
                    last == null ? change.expectedVersion() : last.version(),
                    last == null ? loaded.map(Head::hash).orElse(HashChain.GENESIS) : last.hash(),
                    StateCodec.encode(change.stateAfter()), loaded.map(Head::createdAt).orElse(recordedAt)));
            stored.addAll(appended);
        }
        String what = "appending to " + result.subject();
        int items = stored.size() + after.size() + result.checks().size();
        if (items > DynamoEventStore.MAX_TRANSACTION_ITEMS) {
            throw new IllegalArgumentException(what + " needs " + items + " items; a transaction holds "
                    + DynamoEventStore.MAX_TRANSACTION_ITEMS);
        }
        for (StreamChange change : result.changes()) {
            long now = Optional.ofNullable(heads.get(change.stream())).map(Head::version).orElse(0L);
            if (now != change.expectedVersion()) {
                throw new ConcurrentAppendException(what + " lost a race with another writer", null);
            }
        }
        for (VersionCheck check : result.checks()) {
            long now = Optional.ofNullable(heads.get(check.stream())).map(Head::version).orElse(0L);
            if (now != check.version()) {
                throw new ConcurrentAppendException(what + " lost a race: " + check.stream() + " moved after it was read",
                        null);
            }
        }
        heads.putAll(after);
        for (StoredEvent event : stored) {
            events.computeIfAbsent(event.stream(), stream -> new ArrayList<>()).add(event);
        }
        // As the DynamoDB store: in the same append, as many as its transaction has room for.
        for (AccountCheckpoint checkpoint : StreamAppend.checkpoints(result, stored)) {
            if (items++ >= DynamoEventStore.MAX_TRANSACTION_ITEMS) {
                break;
            }
            checkpoints.computeIfAbsent(checkpoint.stream(), stream -> new java.util.TreeMap<>(NUMERIC))
                    .put(EventsTable.checkpointSk(checkpoint.recordedAt(), checkpoint.version()), checkpoint);
        }
        return stored;
    }

    /** One command attempt: the heads it read, and the append against them. */
    private final class Session implements StoreSession {
        private final Map<StreamId, Optional<Head>> read = new HashMap<>();

        @Override
        public Optional<Head> head(StreamId stream) {
            return read.computeIfAbsent(stream, InMemoryEventStore.this::readHead);
        }

        @Override
        public List<StoredEvent> append(LedgerResult result, Instant recordedAt, String correlationId) {
            return InMemoryEventStore.this.append(read, result, recordedAt, correlationId);
        }
    }
}

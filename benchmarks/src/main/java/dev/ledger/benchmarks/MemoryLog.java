package dev.ledger.benchmarks;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.LedgerStreams;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.ledger.Versioned;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.store.HashChain;
import dev.ledger.store.StoredEvent;
import dev.ledger.store.AccountCheckpoint;
import dev.ledger.store.StreamAppend;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The log's heads in memory: what the ledger reads to decide, and where each stream's hash chain
 * stands, so that appended results come out as the stored events the DynamoDB store would write.
 * Events are handed back, not kept: memory holds one head per stream.
 */
final class MemoryLog implements LedgerStreams {

    /** Where a stream stands: its version, the last link of its hash chain and its state there. */
    record Head(StreamId stream, long version, String hash, StreamState state, Instant createdAt) {
    }

    private final Map<StreamId, Head> heads = new HashMap<>();
    private final List<AccountCheckpoint> checkpoints = new ArrayList<>();

    @Override
    public Optional<Versioned<AccountState>> account(String accountId) {
        return versioned(StreamId.account(accountId), AccountState.class);
    }

    @Override
    public Optional<Versioned<TransferState>> transfer(String transferId) {
        return versioned(StreamId.transfer(transferId), TransferState.class);
    }

    @Override
    public Optional<Versioned<TransactionState>> transaction(String transactionId) {
        return versioned(StreamId.transaction(transactionId), TransactionState.class);
    }

    @Override
    public Optional<Versioned<ReversalState>> reversal(String reversalId) {
        return versioned(StreamId.reversal(reversalId), ReversalState.class);
    }

    /** Appends every change of an applied result and returns its events as stored, in append order. */
    List<StoredEvent> append(LedgerResult result, Instant recordedAt, String correlationId) {
        if (result.isRejected()) {
            throw new IllegalStateException("a seeded command was refused: " + result.rejection());
        }
        List<StoredEvent> stored = new ArrayList<>();
        for (StreamChange change : result.changes()) {
            Head head = heads.get(change.stream());
            List<StoredEvent> events = encode(change, head, recordedAt, correlationId);
            StoredEvent last = events.get(events.size() - 1);
            heads.put(change.stream(), new Head(change.stream(), last.version(), last.hash(), change.stateAfter(),
                    head == null ? recordedAt : head.createdAt()));
            stored.addAll(events);
        }
        // The checkpoints the stores would write with this append (each transfer here has room for them).
        checkpoints.addAll(StreamAppend.checkpoints(result, stored));
        return stored;
    }

    /** The checkpoints owed by the appends since the last call, in append order; forgotten here. */
    List<AccountCheckpoint> takeCheckpoints() {
        List<AccountCheckpoint> taken = List.copyOf(checkpoints);
        checkpoints.clear();
        return taken;
    }

    /** The stored form of a change's events, chained from {@code head} (null for a new stream) as the store does. */
    static List<StoredEvent> encode(StreamChange change, Head head, Instant recordedAt, String correlationId) {
        return StreamAppend.events(change, head == null ? 0 : head.version(),
                head == null ? HashChain.GENESIS : head.hash(), recordedAt, correlationId);
    }

    /** A stream's head, or null before its first event. */
    Head head(StreamId stream) {
        return heads.get(stream);
    }

    Collection<Head> heads() {
        return heads.values();
    }

    private <S> Optional<Versioned<S>> versioned(StreamId stream, Class<S> type) {
        Head head = heads.get(stream);
        return head == null ? Optional.empty() : Optional.of(new Versioned<>(type.cast(head.state()), head.version()));
    }
}

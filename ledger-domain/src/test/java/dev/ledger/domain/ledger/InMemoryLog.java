package dev.ledger.domain.ledger;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.batch.BatchState;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transfer.TransferState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The event log in memory, for domain tests: appends a {@link LedgerResult}'s changes all or
 * nothing with the same version checks the DynamoDB store makes, and keeps each stream's state.
 */
final class InMemoryLog implements LedgerStreams {

    private final Map<StreamId, List<LedgerEvent>> events = new TreeMap<>();
    private final Map<StreamId, StreamState> states = new TreeMap<>();

    void append(LedgerResult result) {
        for (StreamChange change : result.changes()) {
            long current = events.getOrDefault(change.stream(), List.of()).size();
            if (current != change.expectedVersion()) {
                throw new IllegalStateException(change.stream() + " is at version " + current + ", not "
                        + change.expectedVersion());
            }
        }
        if (!tryAppend(result)) {
            throw new IllegalStateException("a stream " + result.subject() + "'s result checked moved since it was read");
        }
    }

    /** Appends if every changed and checked stream stands where the result expects; false (nothing appended) if not. */
    boolean tryAppend(LedgerResult result) {
        for (StreamChange change : result.changes()) {
            long current = events.getOrDefault(change.stream(), List.of()).size();
            if (current != change.expectedVersion()) {
                return false;
            }
        }
        for (VersionCheck check : result.checks()) {
            if (events.getOrDefault(check.stream(), List.of()).size() != check.version()) {
                return false;
            }
        }
        for (StreamChange change : result.changes()) {
            events.computeIfAbsent(change.stream(), id -> new ArrayList<>()).addAll(change.events());
            states.put(change.stream(), change.stateAfter());
        }
        return true;
    }

    /** The log as it stands now, apart from this one: what a command that reads now and appends later sees. */
    InMemoryLog snapshot() {
        InMemoryLog copy = new InMemoryLog();
        events.forEach((stream, streamEvents) -> copy.events.put(stream, new ArrayList<>(streamEvents)));
        copy.states.putAll(states);
        return copy;
    }

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

    @Override
    public Optional<Versioned<BatchState>> batch(String batchId) {
        return versioned(StreamId.batch(batchId), BatchState.class);
    }

    List<LedgerEvent> events(StreamId stream) {
        return List.copyOf(events.getOrDefault(stream, List.of()));
    }

    int eventCount() {
        return events.values().stream().mapToInt(List::size).sum();
    }

    /** Every stream's state, as kept while appending. */
    Map<StreamId, StreamState> states() {
        return new TreeMap<>(states);
    }

    /** Every stream's state folded afresh from its events: what a replay of the log gives. */
    Map<StreamId, StreamState> replay() {
        Map<StreamId, StreamState> replayed = new TreeMap<>();
        events.forEach((stream, streamEvents) -> {
            StreamState state = null;
            for (LedgerEvent event : streamEvents) {
                state = StreamFold.evolve(state, event);
            }
            replayed.put(stream, state);
        });
        return replayed;
    }

    private <S> Optional<Versioned<S>> versioned(StreamId stream, Class<S> type) {
        StreamState state = states.get(stream);
        return state == null ? Optional.empty()
                : Optional.of(new Versioned<>(type.cast(state), events.get(stream).size()));
    }
}

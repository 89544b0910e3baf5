package dev.ledger.functions.command;

import dev.ledger.domain.ledger.InconsistentStreamsException;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.store.ConcurrentAppendException;
import dev.ledger.store.EventStore;
import dev.ledger.store.StoreSession;
import dev.ledger.store.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs one ledger command against the event log ({@link EventStore}): load, decide, append
 * atomically; and if another writer got in first (it appended first, or committed between two of this
 * command's reads), do it all again from a fresh read, a bounded number of times.
 */
public final class CommandService {

    /**
     * Told of every race a command lost, an append refused or a read of heads that disagreed (for
     * metrics); {@code attempt} is the losing one.
     */
    public interface ConflictObserver {
        void conflicted(String correlationId, int attempt);
    }

    private final EventStore store;
    private final Clock clock;
    private final RetryPolicy retries;
    private final ConflictObserver conflicts;

    public CommandService(EventStore store, Clock clock, RetryPolicy retries) {
        this(store, clock, retries, (correlationId, attempt) -> { });
    }

    public CommandService(EventStore store, Clock clock, RetryPolicy retries, ConflictObserver conflicts) {
        this.store = store;
        this.clock = clock;
        this.retries = retries;
        this.conflicts = conflicts;
    }

    /** What a command did: the domain's result, the session it read through, the events it stored. */
    public record Committed(LedgerResult result, StoreSession session, List<StoredEvent> events) {
    }

    /**
     * Runs {@code command} until it commits. A command loses a race, and is decided again from a
     * fresh read after a backoff, when another writer appended to one of its streams first
     * ({@link ConcurrentAppendException}), or when another writer committed between two of its reads
     * so the heads it decided on disagree ({@link InconsistentStreamsException}); the observer hears of
     * both. After {@link RetryPolicy#maxAttempts()} lost races it gives up with a
     * {@link ConcurrentModificationException}. Heads that disagree in the same way on two fresh reads
     * were not raced: the log disagrees with itself, and that fails at once.
     */
    public Committed execute(String correlationId, Function<Ledger, LedgerResult> command) {
        RuntimeException lastConflict = null;
        Set<InconsistentStreamsException.View> disagreements = new HashSet<>();
        for (int attempt = 1; attempt <= retries.maxAttempts(); attempt++) {
            StoreSession session = store.session();
            try {
                LedgerResult result = command.apply(new Ledger(session, clock));
                return new Committed(result, session, session.append(result, clock.instant(), correlationId));
            } catch (ConcurrentAppendException conflict) {
                lastConflict = conflict;
            } catch (InconsistentStreamsException disagreement) {
                if (!disagreements.add(disagreement.view())) {
                    throw new IllegalStateException("the log disagrees with itself: a fresh read found the same heads "
                            + "at the same versions disagreeing again; " + disagreement.getMessage(), disagreement);
                }
                lastConflict = disagreement;
            }
            conflicts.conflicted(correlationId, attempt);
            pause(retries.pauseAfter(attempt));
        }
        throw new ConcurrentModificationException("the command lost " + retries.maxAttempts()
                + " races in a row (the last: " + lastConflict.getMessage() + ")", lastConflict);
    }

    public EventStore store() {
        return store;
    }

    public Clock clock() {
        return clock;
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off", e);
        }
    }
}

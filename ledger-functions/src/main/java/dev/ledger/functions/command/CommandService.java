package dev.ledger.functions.command;

import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.functions.store.ConcurrentAppendException;
import dev.ledger.functions.store.DynamoEventStore;
import dev.ledger.functions.store.StoreSession;
import dev.ledger.functions.store.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Runs one ledger command against the event store: load, decide, append atomically; and if another
 * writer appended first, do it all again from a fresh read, a bounded number of times.
 */
public final class CommandService {

    /** Told of every append race a command lost (for metrics); {@code attempt} is the losing one. */
    public interface ConflictObserver {
        void conflicted(String correlationId, int attempt);
    }

    private final DynamoEventStore store;
    private final Clock clock;
    private final RetryPolicy retries;
    private final ConflictObserver conflicts;

    public CommandService(DynamoEventStore store, Clock clock, RetryPolicy retries) {
        this(store, clock, retries, (correlationId, attempt) -> { });
    }

    public CommandService(DynamoEventStore store, Clock clock, RetryPolicy retries, ConflictObserver conflicts) {
        this.store = store;
        this.clock = clock;
        this.retries = retries;
        this.conflicts = conflicts;
    }

    /** What a command did: the domain's result, the session it read through, the events it stored. */
    public record Committed(LedgerResult result, StoreSession session, List<StoredEvent> events) {
    }

    public Committed execute(String correlationId, Function<Ledger, LedgerResult> command) {
        ConcurrentAppendException lastConflict = null;
        for (int attempt = 1; attempt <= retries.maxAttempts(); attempt++) {
            StoreSession session = store.session();
            LedgerResult result = command.apply(new Ledger(session, clock));
            try {
                return new Committed(result, session, session.commit(result, clock.instant(), correlationId));
            } catch (ConcurrentAppendException conflict) {
                lastConflict = conflict;
                conflicts.conflicted(correlationId, attempt);
                pause(retries.pauseAfter(attempt));
            }
        }
        throw new ConcurrentModificationException("the command lost " + retries.maxAttempts()
                + " append races in a row", lastConflict);
    }

    public DynamoEventStore store() {
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

package dev.ledger.store;

import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * Runs domain commands straight against a store, one fresh session each: what the command service
 * does on an attempt, without its retries (the store's tests write alone, so they never race).
 */
final class LedgerWriter {

    /** What a command did: the domain's result and the events it stored. */
    record Written(LedgerResult result, List<StoredEvent> events) {
    }

    private final DynamoEventStore store;
    private final Clock clock;

    LedgerWriter(DynamoEventStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    Written execute(String correlationId, Function<Ledger, LedgerResult> command) {
        return execute(correlationId, 1, command);
    }

    /**
     * The command as its attempt number {@code attempt} runs it (1 for the first): a retry after a lost
     * race picks the next shard of a sharded account.
     */
    Written execute(String correlationId, int attempt, Function<Ledger, LedgerResult> command) {
        StoreSession session = store.session();
        LedgerResult result = command.apply(new Ledger(session, clock, attempt));
        return new Written(result, session.append(result, clock.instant(), correlationId));
    }

    DynamoEventStore store() {
        return store;
    }
}

package dev.ledger.replay;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.store.AccountCheckpoint;
import dev.ledger.store.EventsTable;
import dev.ledger.store.StoredEvent;
import dev.ledger.store.StreamAppend;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The checkpoints (issue 16 §3) an account stream written before them owes, folded from its events and written
 * where missing ({@code replay checkpoints --backfill}). Which checkpoints an append owes is
 * {@link AccountCheckpoint#due}'s rule and what one looks like as an item is {@link EventsTable#checkpointItem}'s,
 * the same two the append path uses: a backfilled checkpoint is the one the append would have written, to the
 * byte, wherever the log tells its appends apart ({@link StreamAppend#sameAppend}).
 *
 * <p>Every write is a put conditional on the key being free: running twice, two runs at once, or a live append
 * that writes the same checkpoint first all leave the first writer's item, and the loser reads it back and
 * compares. Both are a fold of the same events, so they are equal; one that is not is reported, never replaced.
 */
final class CheckpointBackfill {

    /** What became of one owed checkpoint. */
    enum Outcome {
        /** This run wrote it. */
        WRITTEN,
        /** Someone wrote it first (a live append, another run), with the same bytes. */
        ALREADY_THERE,
        /** An item with its key holds something else: left as it is, and {@code replay verify} says what. */
        DIFFERENT_THERE
    }

    private final DynamoDbClient dynamo;
    private final EventLog log;

    CheckpointBackfill(DynamoDbClient dynamo, EventLog log) {
        this.dynamo = dynamo;
        this.log = log;
    }

    /** What a stream's backfill read and owed: its events, and the checkpoints it owes that it does not hold. */
    record Owed(StreamId stream, long events, List<AccountCheckpoint> missing) {
    }

    /**
     * Folds the stream from version 1 and returns the checkpoints its appends owed that it does not hold. Its
     * checkpoints are read after its events: a live append writes its checkpoint in the same transaction as its
     * events, so every checkpoint of an append read here is seen, and not owed again.
     */
    Owed missing(StreamId stream) {
        List<Due> owed = new ArrayList<>();
        long events = 0;
        AccountState state = null;
        List<StoredEvent> append = new ArrayList<>();
        for (Iterator<StoredEvent> it = log.events(stream); it.hasNext(); ) {
            StoredEvent event = it.next();
            if (!append.isEmpty() && !StreamAppend.sameAppend(append.get(append.size() - 1), event)) {
                owe(append, state, owed);
                append.clear();
            }
            state = AccountState.evolve(Optional.ofNullable(state), (AccountEvent) event.event());
            append.add(event);
            events++;
        }
        owe(append, state, owed);
        TreeSet<Long> held = new TreeSet<>();
        log.store().checkpoints(stream).forEachRemaining(checkpoint -> held.add(checkpoint.version()));
        // Owed unless one is held anywhere in the append that owed it: two appends read as one (sameAppend) may
        // hold the checkpoint the first of them wrote.
        List<AccountCheckpoint> missing = owed.stream().filter(due -> {
            Long first = held.ceiling(due.from());
            return first == null || first > due.checkpoint().version();
        }).map(Due::checkpoint).toList();
        return new Owed(stream, events, missing);
    }

    /** A checkpoint owed by the append that wrote versions {@code from} to the checkpoint's. */
    private record Due(long from, AccountCheckpoint checkpoint) {
    }

    private static void owe(List<StoredEvent> append, AccountState stateAfter, List<Due> owed) {
        if (!append.isEmpty()) {
            long from = append.get(0).version();
            AccountCheckpoint.due(from - 1, append, stateAfter).ifPresent(due -> owed.add(new Due(from, due)));
        }
    }

    /** Writes one checkpoint unless its key is taken; if it is, compares what is there with it. */
    Outcome write(AccountCheckpoint checkpoint) {
        Map<String, AttributeValue> item = EventsTable.checkpointItem(checkpoint);
        try {
            dynamo.putItem(put -> put.tableName(log.store().table()).item(item)
                    .conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", EventsTable.PK)));
            return Outcome.WRITTEN;
        } catch (ConditionalCheckFailedException taken) {
            Map<String, AttributeValue> there = dynamo.getItem(get -> get.tableName(log.store().table())
                    .consistentRead(true).key(Map.of(EventsTable.PK, item.get(EventsTable.PK),
                            EventsTable.SK, item.get(EventsTable.SK)))).item();
            return item.equals(there) ? Outcome.ALREADY_THERE : Outcome.DIFFERENT_THERE;
        }
    }
}

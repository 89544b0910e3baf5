package dev.ledger.domain.batch;

import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.api.BatchEvent;
import dev.ledger.domain.api.BatchEvent.BatchRecorded;
import dev.ledger.domain.api.BatchEvent.BatchRejected;
import dev.ledger.domain.api.BatchEvent.ItemOutcome;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import java.util.List;
import java.util.Optional;

/**
 * What became of one batch. {@link #evolve} is the one fold of batch events; a batch's stream holds
 * one event, written once.
 *
 * @param items what became of each item, in order; empty for a refused atomic batch
 * @param itemCount how many items the request had
 * @param rejection why an atomic batch was refused (naming its item); null otherwise
 */
public record BatchState(String batchId, boolean atomic, String digest, int itemCount, List<ItemOutcome> items,
                         Rejection rejection) implements StreamState {

    public BatchState {
        items = List.copyOf(items);
    }

    public static BatchState evolve(Optional<BatchState> state, BatchEvent event) {
        if (state.isPresent()) {
            throw new IllegalStateException("batch " + event.batchId() + " is recorded twice in its stream");
        }
        if (event instanceof BatchRecorded recorded) {
            return new BatchState(recorded.batchId(), recorded.atomic(), recorded.digest(), recorded.items().size(),
                    recorded.items(), null);
        }
        if (event instanceof BatchRejected rejected) {
            return new BatchState(rejected.batchId(), true, rejected.digest(), rejected.itemCount(), List.of(),
                    new Rejection(rejected.code(), rejected.message(), rejected.failedEntry(), rejected.failedItem()));
        }
        throw new IllegalArgumentException("unknown batch event " + event.getClass().getSimpleName());
    }

    @Override
    public StreamId streamId() {
        return StreamId.batch(batchId);
    }

    public boolean isRejected() {
        return rejection != null;
    }

    public RejectionCode rejectionCode() {
        return rejection == null ? null : rejection.code();
    }
}

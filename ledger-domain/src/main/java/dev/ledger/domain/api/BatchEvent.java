package dev.ledger.domain.api;

import dev.ledger.domain.RejectionCode;
import java.util.List;
import java.util.Objects;

/**
 * Events of one batch's stream. Its first (and only) event is the batch's idempotency record: the
 * request's digest and what became of each item, or the refusal of an atomic batch.
 */
public sealed interface BatchEvent extends LedgerEvent {

    String batchId();

    @Override
    default StreamId streamId() {
        return StreamId.batch(batchId());
    }

    /** What became of one item. */
    enum Outcome { APPLIED, ALREADY_APPLIED, REJECTED }

    /**
     * One item of a recorded batch.
     *
     * @param kind {@code transfer} or {@code transaction}
     * @param digest the item's request digest (atomic batches: what {@code replay verify} compares with
     *     the item's stream); null for an item of a batch that is not atomic, whose items are their own commands
     * @param code, message, failedEntry the refusal of a {@code REJECTED} item; null otherwise
     */
    record ItemOutcome(int index, String kind, String id, String digest, Outcome outcome, String code, String message,
                       Integer failedEntry) {
        public ItemOutcome {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(outcome, "outcome");
            if ((outcome == Outcome.REJECTED) != (code != null && message != null)) {
                throw new IllegalArgumentException("a code and message go with a refused item, and only with it");
            }
        }

        public StreamId stream() {
            return "transfer".equals(kind) ? StreamId.transfer(id) : StreamId.transaction(id);
        }
    }

    /**
     * The batch was decided: an atomic batch's items were all recorded (or found done before) in the
     * same append as this event; a batch that is not atomic lists what each item's own command did.
     */
    record BatchRecorded(String batchId, boolean atomic, String digest, List<ItemOutcome> items)
            implements BatchEvent {
        public BatchRecorded {
            items = List.copyOf(items);
        }
    }

    /**
     * An atomic batch was refused because of one item; nothing else was written.
     *
     * @param failedEntry the entry of a refused transaction item, else null
     */
    record BatchRejected(String batchId, String digest, int itemCount, RejectionCode code, String message,
                         int failedItem, Integer failedEntry) implements BatchEvent {
    }
}

package dev.ledger.domain.ledger;

import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.BatchCommand.RecordBatch;
import dev.ledger.domain.api.BatchCommand.RejectBatch;
import dev.ledger.domain.api.BatchEvent.ItemOutcome;
import dev.ledger.domain.api.BatchEvent.Outcome;
import dev.ledger.domain.api.BatchItem;
import dev.ledger.domain.api.BatchItem.TransactionItem;
import dev.ledger.domain.api.BatchItem.TransferItem;
import dev.ledger.domain.api.BatchRequest;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.batch.Batch;
import dev.ledger.domain.batch.BatchState;
import dev.ledger.domain.ledger.AxonAggregates.Handled;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transfer.TransferState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.axonframework.modelling.command.inspection.AggregateModel;
import org.axonframework.modelling.command.inspection.AnnotatedAggregateMetaModelFactory;

/**
 * The {@link Ledger}'s unit of work for batches. An atomic batch decides its items in order, each by
 * the ledger's own rules for a transfer or a transaction, over the state the earlier items left (an
 * account two items use sees the first one's effect), and returns every item's changes with the batch's
 * own record as one result: appended together, or not at all. A stream several items change gets one
 * change (its events one after another from the version it was read at, one head). A batch that is not
 * atomic runs its items as their own commands elsewhere; here it only gets its record.
 */
final class Batches {

    private static final AggregateModel<Batch> BATCHES = AnnotatedAggregateMetaModelFactory.inspectAggregate(Batch.class);

    /** DynamoDB's limit on the items of one TransactWriteItems call, which an atomic batch is. */
    static final int MAX_TRANSACTION_ITEMS = 100;

    /** The batch's own record: its event and its head. */
    private static final int BATCH_RECORD_ITEMS = 2;

    /** Refusals that are not recorded under an item's id, and so not under the batch's either. */
    private static final Set<RejectionCode> NOT_RECORDED = Set.of(RejectionCode.ACCOUNT_NOT_FOUND,
            RejectionCode.IDEMPOTENCY_CONFLICT);

    private final LedgerStreams streams;
    private final Clock clock;
    private final int attempt;
    private final ShardCounts shardCounts;

    Batches(LedgerStreams streams, Clock clock, int attempt, ShardCounts shardCounts) {
        this.streams = streams;
        this.clock = clock;
        this.attempt = attempt;
        this.shardCounts = shardCounts;
    }

    /**
     * An atomic batch: every item is recorded, or none. An item recorded before with the same content
     * counts as done (nothing is written for it again); the first item refused refuses the batch, naming
     * it, and only the batch's record of that refusal is written (none for a refusal an item's id would
     * not keep either: an unknown account, an id used for other content). The same batch again is
     * {@code ALREADY_APPLIED}, or the same refusal; other content under its id an {@code idempotency_conflict}.
     *
     * @throws IllegalArgumentException for a batch that is not atomic, or past {@link BatchRequest#MAX_ATOMIC_ITEMS},
     *     which the API refuses first
     */
    LedgerResult atomic(String batchId, BatchRequest request) {
        if (!request.atomic() || request.items().size() > BatchRequest.MAX_ATOMIC_ITEMS) {
            throw new IllegalArgumentException("an atomic batch has at most " + BatchRequest.MAX_ATOMIC_ITEMS
                    + " items");
        }
        StreamId subject = StreamId.batch(batchId);
        Optional<LedgerResult> earlier = earlier(batchId, request);
        if (earlier.isPresent()) {
            return earlier.get();
        }
        Overlay overlay = new Overlay(streams);
        Ledger ledger = new Ledger(overlay, clock, attempt, shardCounts);
        List<ItemOutcome> outcomes = new ArrayList<>();
        for (int index = 0; index < request.items().size(); index++) {
            BatchItem item = request.items().get(index);
            LedgerResult decided = decide(ledger, item);
            String digest = request.itemDigests().get(index);
            switch (decided.status()) {
                case APPLIED -> {
                    overlay.apply(decided.changes());
                    outcomes.add(new ItemOutcome(index, item.kind(), item.id(), digest, Outcome.APPLIED, null, null,
                            null));
                }
                case ALREADY_APPLIED -> outcomes.add(new ItemOutcome(index, item.kind(), item.id(), digest,
                        Outcome.ALREADY_APPLIED, null, null, null));
                case REJECTED -> {
                    Rejection refused = decided.rejection();
                    Rejection rejection = new Rejection(refused.code(), "item " + index + " (" + item.kind() + " "
                            + item.id() + ") was refused, so the batch was: " + refused.message(),
                            refused.failedEntry(), index);
                    if (NOT_RECORDED.contains(refused.code())) {
                        return LedgerResult.rejected(subject, rejection);
                    }
                    Handled<Batch> recorded = AxonAggregates.create(BATCHES,
                            () -> new Batch(new RejectBatch(batchId, request, rejection)));
                    return LedgerResult.rejected(subject, rejection, List.of(batchChange(recorded)));
                }
                default -> throw new IllegalStateException("unknown status " + decided.status());
            }
        }
        List<StreamChange> items = overlay.changes();
        int writes = BATCH_RECORD_ITEMS + items.stream().mapToInt(change -> change.events().size() + 1).sum();
        if (writes > MAX_TRANSACTION_ITEMS) {
            return LedgerResult.rejected(subject, new Rejection(RejectionCode.BATCH_TOO_LARGE, "the batch would write "
                    + writes + " items (" + BATCH_RECORD_ITEMS + " for the batch, one per event and one head per "
                    + "stream for its items, accounts shared between items counted once) but one atomic write holds "
                    + MAX_TRANSACTION_ITEMS + "; split it, or send it with \"atomic\": false"));
        }
        Handled<Batch> recorded = AxonAggregates.create(BATCHES,
                () -> new Batch(new RecordBatch(batchId, request, outcomes)));
        List<StreamChange> changes = new ArrayList<>();
        changes.add(batchChange(recorded));
        changes.addAll(items);
        return LedgerResult.applied(subject, changes);
    }

    /**
     * The record of a batch that is not atomic, once its items were decided as their own commands. The
     * same batch recorded before (a retry, or a concurrent request under the same id) is
     * {@code ALREADY_APPLIED}; other content under its id an {@code idempotency_conflict}.
     */
    LedgerResult record(String batchId, BatchRequest request, List<ItemOutcome> outcomes) {
        if (request.atomic()) {
            throw new IllegalArgumentException("an atomic batch is decided with its items, in one unit of work");
        }
        if (outcomes.size() != request.items().size()) {
            throw new IllegalArgumentException("a batch's record has an outcome per item");
        }
        Optional<LedgerResult> earlier = earlier(batchId, request);
        if (earlier.isPresent()) {
            return earlier.get();
        }
        Handled<Batch> recorded = AxonAggregates.create(BATCHES,
                () -> new Batch(new RecordBatch(batchId, request, outcomes)));
        return LedgerResult.applied(StreamId.batch(batchId), List.of(batchChange(recorded)));
    }

    /** What an earlier request under the batch id decides for this one, if there was one. */
    Optional<LedgerResult> earlier(String batchId, BatchRequest request) {
        StreamId subject = StreamId.batch(batchId);
        Optional<Versioned<BatchState>> earlier = streams.batch(batchId);
        if (earlier.isEmpty()) {
            return Optional.empty();
        }
        BatchState first = earlier.get().state();
        if (!first.digest().equals(request.digest())) {
            return Optional.of(LedgerResult.rejected(subject, new Rejection(RejectionCode.IDEMPOTENCY_CONFLICT,
                    "batch id " + batchId + " was already used for a different request")));
        }
        return Optional.of(first.isRejected() ? LedgerResult.rejected(subject, first.rejection())
                : LedgerResult.alreadyApplied(subject, 1));
    }

    private static LedgerResult decide(Ledger ledger, BatchItem item) {
        if (item instanceof TransferItem transfer) {
            return ledger.transfer(transfer.transferId(), transfer.request());
        } else if (item instanceof TransactionItem transaction) {
            return ledger.transaction(transaction.transactionId(), transaction.request());
        }
        throw new IllegalArgumentException("unknown batch item " + item.getClass().getSimpleName());
    }

    private static StreamChange batchChange(Handled<Batch> handled) {
        return new StreamChange(handled.root().state().streamId(), 0, handled.events(), handled.root().state());
    }

    /**
     * The streams as the items decided so far left them: each item reads the state after the earlier
     * items' changes, and the changes of one stream merge into one (versions on from where it was read).
     */
    private static final class Overlay implements LedgerStreams {
        private final LedgerStreams read;
        private final Map<StreamId, StreamChange> changes = new LinkedHashMap<>();
        private final Map<StreamId, Versioned<StreamState>> after = new HashMap<>();

        Overlay(LedgerStreams read) {
            this.read = read;
        }

        void apply(List<StreamChange> applied) {
            for (StreamChange change : applied) {
                StreamChange before = changes.get(change.stream());
                StreamChange merged = change;
                if (before != null) {
                    if (before.newVersion() != change.expectedVersion()) {
                        throw new IllegalStateException(change.stream() + " was decided at version "
                                + change.expectedVersion() + " after the batch took it to " + before.newVersion());
                    }
                    List<LedgerEvent> events = new ArrayList<>(before.events());
                    events.addAll(change.events());
                    merged = new StreamChange(change.stream(), before.expectedVersion(), events, change.stateAfter());
                }
                changes.put(change.stream(), merged);
                after.put(change.stream(), new Versioned<>(change.stateAfter(), change.newVersion()));
            }
        }

        List<StreamChange> changes() {
            return List.copyOf(changes.values());
        }

        /** The stream as the batch's items left it, if one changed it; else as the log has it. */
        @SuppressWarnings("unchecked")
        private <S> Optional<Versioned<S>> changedOr(StreamId stream, Supplier<Optional<Versioned<S>>> fromLog) {
            Versioned<StreamState> changed = after.get(stream);
            return changed == null ? fromLog.get() : Optional.of((Versioned<S>) (Versioned<?>) changed);
        }

        @Override
        public Optional<Versioned<AccountState>> account(String accountId) {
            return changedOr(StreamId.account(accountId), () -> read.account(accountId));
        }

        @Override
        public Optional<Versioned<TransferState>> transfer(String transferId) {
            return changedOr(StreamId.transfer(transferId), () -> read.transfer(transferId));
        }

        @Override
        public Optional<Versioned<TransactionState>> transaction(String transactionId) {
            return changedOr(StreamId.transaction(transactionId), () -> read.transaction(transactionId));
        }

        @Override
        public Optional<Versioned<ReversalState>> reversal(String reversalId) {
            return read.reversal(reversalId);
        }

        @Override
        public Optional<Versioned<BatchState>> batch(String batchId) {
            return read.batch(batchId);
        }
    }
}

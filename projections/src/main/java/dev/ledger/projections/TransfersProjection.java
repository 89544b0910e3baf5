package dev.ledger.projections;

import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionEvent;
import dev.ledger.domain.api.TransactionEvent.TransactionReversed;
import dev.ledger.domain.api.TransferEvent;
import dev.ledger.domain.api.TransferEvent.TransferReversed;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.store.StoredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Each transfer's state (both legs, amounts, status), the history of its status, and its reversals;
 * and in the same table, each multi-leg transaction's (its entries, status, metadata), under its own
 * key. One table rather than a projection of its own: the transactions' read model is the transfers'
 * in shape (one item per stream, its status history), and sharing it adds no table, Lambda, stream
 * mapping or permission to the stack.
 */
public final class TransfersProjection extends SingleItemProjection {

    public TransfersProjection(DynamoDbClient dynamo, String table) {
        super(ProjectionCatalog.TRANSFERS, dynamo, table);
    }

    /** One status the transfer had, from which version of its stream and when. */
    public record StatusChange(String status, long version, Instant recordedAt) {
    }

    /**
     * One reversal of the transfer: which, how much, whether forced, from which version and when; and when
     * it counts (issue 16), null when its request named no date.
     */
    public record Reversal(String reversalId, Money amount, boolean forced, long version, Instant recordedAt,
                           Instant effectiveAt) {

        /** A reversal without an effective date. */
        public Reversal(String reversalId, Money amount, boolean forced, long version, Instant recordedAt) {
            this(reversalId, amount, forced, version, recordedAt, null);
        }
    }

    public record ProjectedTransfer(TransferState state, long version, Instant createdAt, List<StatusChange> history,
                                    List<Reversal> reversals) {
    }

    public Optional<ProjectedTransfer> transfer(String transferId) {
        return stored(transferId).map(item -> new ProjectedTransfer(TransfersItemCodec.state(item),
                TransfersItemCodec.version(item), TransfersItemCodec.createdAt(item), TransfersItemCodec.history(item),
                TransfersItemCodec.reversals(item)));
    }

    /**
     * The reversal of a transaction: which, whether forced, from which version of its stream and when; and when
     * it counts (issue 16), null when its request named no date.
     */
    public record TransactionReversal(String reversalId, boolean forced, long version, Instant recordedAt,
                                      Instant effectiveAt) {

        /** A reversal without an effective date. */
        public TransactionReversal(String reversalId, boolean forced, long version, Instant recordedAt) {
            this(reversalId, forced, version, recordedAt, null);
        }
    }

    /** @param reversal null unless a reversal gave the transaction back */
    public record ProjectedTransaction(TransactionState state, long version, Instant createdAt,
                                       List<StatusChange> history, TransactionReversal reversal) {
    }

    public Optional<ProjectedTransaction> transaction(String transactionId) {
        return stored(catalog().itemId(StreamId.transaction(transactionId))).map(item -> new ProjectedTransaction(
                TransactionsItemCodec.state(item), TransfersItemCodec.version(item), TransfersItemCodec.createdAt(item),
                TransfersItemCodec.history(item), TransactionsItemCodec.reversal(item)));
    }

    /** A status change adds to the status history; a transfer's reversal, which leaves the status, to its reversals. */
    @Override
    Map<String, AttributeValue> next(StoredEvent event, Optional<Map<String, AttributeValue>> before) {
        Instant createdAt = before.map(TransfersItemCodec::createdAt).orElse(event.recordedAt());
        List<StatusChange> history = new ArrayList<>(before.map(TransfersItemCodec::history).orElse(List.of()));
        if (event.stream().type() == StreamId.StreamType.TRANSACTION) {
            TransactionState after = TransactionState.evolve(before.map(TransactionsItemCodec::state),
                    (TransactionEvent) event.event());
            TransactionReversal reversal = before.map(TransactionsItemCodec::reversal).orElse(null);
            if (event.event() instanceof TransactionReversed reversed) {
                // A reversal leaves the status POSTED: it is shown apart from the status history.
                reversal = new TransactionReversal(reversed.reversalId(), reversed.forced(), event.version(),
                        event.recordedAt(), event.effectiveAt());
            } else {
                history.add(new StatusChange(after.status().name(), event.version(), event.recordedAt()));
            }
            return TransactionsItemCodec.encode(catalog().itemId(event.stream()), event.version(), after, history,
                    createdAt, reversal);
        }
        TransferEvent transferEvent = (TransferEvent) event.event();
        TransferState after = TransferState.evolve(before.map(TransfersItemCodec::state), transferEvent);
        List<Reversal> reversals = new ArrayList<>(before.map(TransfersItemCodec::reversals).orElse(List.of()));
        if (transferEvent instanceof TransferReversed reversed) {
            reversals.add(new Reversal(reversed.reversalId(), reversed.amount(), reversed.forced(), event.version(),
                    event.recordedAt(), event.effectiveAt()));
        } else {
            history.add(new StatusChange(after.status().name(), event.version(), event.recordedAt()));
        }
        return TransfersItemCodec.encode(event.stream().id(), event.version(), after, history, createdAt, reversals);
    }

    @Override
    public Map<String, String> fields(Map<String, AttributeValue> item) {
        return ItemJson.fields(item, TransfersItemCodec.STATE);
    }
}

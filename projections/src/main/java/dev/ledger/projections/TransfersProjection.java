package dev.ledger.projections;

import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionEvent;
import dev.ledger.domain.api.TransferEvent;
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
 * Each transfer's state (both legs, amounts, status) and the history of its status; and in the same
 * table, each multi-leg transaction's (its entries, status, metadata), under its own key. One table
 * rather than a projection of its own: the transactions' read model is the transfers' in shape (one
 * item per stream, its status history), and sharing it adds no table, Lambda, stream mapping or
 * permission to the stack.
 */
public final class TransfersProjection extends SingleItemProjection {

    public TransfersProjection(DynamoDbClient dynamo, String table) {
        super(ProjectionCatalog.TRANSFERS, dynamo, table);
    }

    /** One status the transfer had, from which version of its stream and when. */
    public record StatusChange(String status, long version, Instant recordedAt) {
    }

    public record ProjectedTransfer(TransferState state, long version, Instant createdAt, List<StatusChange> history) {
    }

    public Optional<ProjectedTransfer> transfer(String transferId) {
        return stored(transferId).map(item -> new ProjectedTransfer(TransfersItemCodec.state(item),
                TransfersItemCodec.version(item), TransfersItemCodec.createdAt(item), TransfersItemCodec.history(item)));
    }

    public record ProjectedTransaction(TransactionState state, long version, Instant createdAt,
                                       List<StatusChange> history) {
    }

    public Optional<ProjectedTransaction> transaction(String transactionId) {
        return stored(catalog().itemId(StreamId.transaction(transactionId))).map(item -> new ProjectedTransaction(
                TransactionsItemCodec.state(item), TransfersItemCodec.version(item), TransfersItemCodec.createdAt(item),
                TransfersItemCodec.history(item)));
    }

    @Override
    Map<String, AttributeValue> next(StoredEvent event, Optional<Map<String, AttributeValue>> before) {
        if (event.stream().type() == StreamId.StreamType.TRANSACTION) {
            TransactionState after = TransactionState.evolve(before.map(TransactionsItemCodec::state),
                    (TransactionEvent) event.event());
            return TransactionsItemCodec.encode(catalog().itemId(event.stream()), event.version(), after,
                    history(event, before, after.status().name()),
                    before.map(TransfersItemCodec::createdAt).orElse(event.recordedAt()));
        }
        TransferState after = TransferState.evolve(before.map(TransfersItemCodec::state), (TransferEvent) event.event());
        Instant createdAt = before.map(TransfersItemCodec::createdAt).orElse(event.recordedAt());
        return TransfersItemCodec.encode(event.stream().id(), event.version(), after,
                history(event, before, after.status().name()), createdAt);
    }

    private static List<StatusChange> history(StoredEvent event, Optional<Map<String, AttributeValue>> before,
                                              String status) {
        List<StatusChange> history = new ArrayList<>(before.map(TransfersItemCodec::history).orElse(List.of()));
        history.add(new StatusChange(status, event.version(), event.recordedAt()));
        return history;
    }

    @Override
    public Map<String, String> fields(Map<String, AttributeValue> item) {
        return ItemJson.fields(item, TransfersItemCodec.STATE);
    }
}

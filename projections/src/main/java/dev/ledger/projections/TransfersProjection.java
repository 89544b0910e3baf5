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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Each transfer's state (both legs, amounts, status), the history of its status, and its reversals;
 * and in the same table, each multi-leg transaction's (its entries, status, metadata), under its own
 * key. One table rather than a projection of its own: the transactions' read model is the transfers'
 * in shape (one item per stream, its status history), and sharing it adds no table, Lambda, stream
 * mapping or permission to the stack.
 */
public final class TransfersProjection extends SingleItemProjection {

    private final DynamoDbClient dynamo;
    private final String table;

    public TransfersProjection(DynamoDbClient dynamo, String table) {
        super(ProjectionCatalog.TRANSFERS, dynamo, table);
        this.dynamo = dynamo;
        this.table = table;
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
        return stored(transferId).map(TransfersProjection::projectedTransfer);
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
        return stored(catalog().itemId(StreamId.transaction(transactionId))).map(TransfersProjection::projectedTransaction);
    }

    private static ProjectedTransfer projectedTransfer(Map<String, AttributeValue> item) {
        return new ProjectedTransfer(TransfersItemCodec.state(item), TransfersItemCodec.version(item),
                TransfersItemCodec.createdAt(item), TransfersItemCodec.history(item), TransfersItemCodec.reversals(item));
    }

    private static ProjectedTransaction projectedTransaction(Map<String, AttributeValue> item) {
        return new ProjectedTransaction(TransactionsItemCodec.state(item), TransfersItemCodec.version(item),
                TransfersItemCodec.createdAt(item), TransfersItemCodec.history(item), TransactionsItemCodec.reversal(item));
    }

    /**
     * A row of GET /transfers: exactly one of a transfer and a multi-leg transaction, as their own reads show
     * them; or neither ({@link #BLOCKED}), for a stream blocked before any event of it could be applied.
     */
    public record Listed(ProjectedTransfer transfer, ProjectedTransaction transaction) {

        /**
         * A stream whose first event the projection could not apply (its stored form unreadable: dead-lettered
         * and reported). It has nothing to show, as its own GET has not, and a list passes it over instead of
         * waiting for it as for a row not projected yet, which would stop the list there for good.
         */
        public static final Listed BLOCKED = new Listed(null, null);

        public boolean blocked() {
            return transfer == null && transaction == null;
        }
    }

    /**
     * The items of transfer and transaction streams, read together (BatchGetItem, 100 keys a request); a
     * stream without an item (not projected yet) is absent from the answer, one blocked before its first
     * event is {@link Listed#BLOCKED}.
     */
    public Map<StreamId, Listed> listed(List<StreamId> streams) {
        Map<String, Map<String, AttributeValue>> items = streams.isEmpty() ? Map.of()
                : itemsOf(streams.stream().map(catalog()::itemId).distinct().toList());
        Map<StreamId, Listed> found = new LinkedHashMap<>();
        for (StreamId stream : streams) {
            Map<String, AttributeValue> item = items.get(catalog().itemId(stream));
            if (item != null && !item.containsKey(ProjectionItems.VERSION)) {
                if (item.containsKey(ProjectionItems.BLOCKED)) {
                    found.put(stream, Listed.BLOCKED);
                }
            } else if (item != null) {
                found.put(stream, stream.type() == StreamId.StreamType.TRANSACTION
                        ? new Listed(null, projectedTransaction(item)) : new Listed(projectedTransfer(item), null));
            }
        }
        return found;
    }

    /**
     * A status list's position: the {@code listAt} of the last row shown (see
     * {@link TransfersItemCodec#listAt}); the next page starts after it.
     */
    public record StatusPage(List<Listed> rows, String lastListAt) {
    }

    /**
     * Transfers and transactions whose status is {@code status} now, newest first (by when they were recorded,
     * then kind and id), recorded in {@code [from, to]}: a Query of {@link TransfersItemCodec#BY_STATUS} (keys
     * only) and a BatchGetItem of its page. A row the index still lists under a status its item no longer has
     * (the index is updated after the item) is left out: it shows in its new status's list.
     *
     * @param afterListAt where the previous page ended; null for the first page
     */
    public StatusPage byStatus(String status, Optional<Instant> from, Optional<Instant> to, int limit,
                               String afterListAt) {
        Map<String, String> names = new HashMap<>(Map.of("#s", TransfersItemCodec.LIST_STATUS));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":s", AttributeValue.fromS(status)));
        String condition = SortableTime.condition("#s = :s", TransfersItemCodec.LIST_AT, from, to, names, values);
        QueryRequest.Builder request = QueryRequest.builder().tableName(table).indexName(TransfersItemCodec.BY_STATUS)
                .keyConditionExpression(condition).expressionAttributeNames(names).expressionAttributeValues(values)
                .scanIndexForward(false).limit(limit);
        if (afterListAt != null) {
            request.exclusiveStartKey(Map.of(TransfersItemCodec.LIST_STATUS, AttributeValue.fromS(status),
                    TransfersItemCodec.LIST_AT, AttributeValue.fromS(afterListAt),
                    ProjectionTables.ID, AttributeValue.fromS(itemIdOfListAt(afterListAt))));
        }
        QueryResponse response = dynamo.query(request.build());
        List<String> ids = response.items().stream().map(key -> key.get(ProjectionTables.ID).s()).toList();
        Map<String, Map<String, AttributeValue>> items = ids.isEmpty() ? Map.of() : storedAll(ids);
        List<Listed> rows = new ArrayList<>();
        for (String id : ids) {
            Map<String, AttributeValue> item = items.get(id);
            AttributeValue now = item == null ? null : item.get(TransfersItemCodec.LIST_STATUS);
            if (now == null || !now.s().equals(status)) {
                continue;
            }
            rows.add(id.startsWith(ProjectionCatalog.TRANSACTION_PREFIX) ? new Listed(null, projectedTransaction(item))
                    : new Listed(projectedTransfer(item), null));
        }
        String last = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                ? response.lastEvaluatedKey().get(TransfersItemCodec.LIST_AT).s() : null;
        return new StatusPage(rows, last);
    }

    /** The table key of the item a {@code listAt} names: its id, {@code transaction#ID} for a transaction. */
    private static String itemIdOfListAt(String listAt) {
        String[] parts = listAt.split("#", 3);
        return TransfersItemCodec.Kind.TRANSACTION.label().equals(parts[1])
                ? ProjectionCatalog.TRANSACTION_PREFIX + parts[2] : parts[2];
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

package dev.ledger.store;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.batch.BatchState;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.LedgerStreams;
import dev.ledger.domain.ledger.Versioned;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.store.EventStore.Head;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One command attempt against the log: the {@link LedgerStreams} the domain reads, remembering each
 * head it loaded, then {@link #append} of the domain's result against exactly those heads. The
 * expected version of every stream is the one this session read (none read: the stream must not
 * exist yet); if any stream moved since, nothing is appended.
 */
public interface StoreSession extends LedgerStreams {

    /** The head as this session loaded it (loading it now if it was not yet). */
    Optional<Head> head(StreamId stream);

    /**
     * Several heads as this session loaded them, those not yet loaded read together now (one request on
     * DynamoDB), in the order asked.
     */
    default List<Optional<Head>> heads(List<StreamId> streams) {
        return streams.stream().map(this::head).toList();
    }

    /**
     * Appends every change of the result atomically. Events get {@code recordedAt} and
     * {@code correlationId} in their envelope and extend their stream's hash chain ({@link StreamAppend}).
     *
     * @return the events as stored, in append order
     * @throws ConcurrentAppendException if any stream moved since this session read it
     */
    List<StoredEvent> append(LedgerResult result, Instant recordedAt, String correlationId);

    @Override
    default Optional<Versioned<AccountState>> account(String accountId) {
        return head(StreamId.account(accountId))
                .map(head -> new Versioned<>(StateCodec.decodeAccount(head.state()), head.version()));
    }

    @Override
    default void prefetch(List<StreamId> streams) {
        heads(streams);
    }

    @Override
    default List<Optional<Versioned<AccountState>>> accounts(List<String> accountIds) {
        return heads(accountIds.stream().map(StreamId::account).toList()).stream()
                .map(head -> head.map(read -> new Versioned<>(StateCodec.decodeAccount(read.state()), read.version())))
                .toList();
    }

    @Override
    default Optional<Versioned<TransferState>> transfer(String transferId) {
        return head(StreamId.transfer(transferId))
                .map(head -> new Versioned<>(StateCodec.decodeTransfer(head.state()), head.version()));
    }

    @Override
    default Optional<Versioned<TransactionState>> transaction(String transactionId) {
        return head(StreamId.transaction(transactionId))
                .map(head -> new Versioned<>(StateCodec.decodeTransaction(head.state()), head.version()));
    }

    default Optional<Versioned<ReversalState>> reversal(String reversalId) {
        return head(StreamId.reversal(reversalId))
                .map(head -> new Versioned<>(StateCodec.decodeReversal(head.state()), head.version()));
    }

    @Override
    default Optional<Versioned<BatchState>> batch(String batchId) {
        return head(StreamId.batch(batchId))
                .map(head -> new Versioned<>(StateCodec.decodeBatch(head.state()), head.version()));
    }
}

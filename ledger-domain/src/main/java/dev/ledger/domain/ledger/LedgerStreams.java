package dev.ledger.domain.ledger;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.batch.BatchState;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transfer.TransferState;
import java.util.List;
import java.util.Optional;

/** Where the ledger reads the current state of the streams a command touches. */
public interface LedgerStreams {

    Optional<Versioned<AccountState>> account(String accountId);

    /**
     * Says which streams a command is about to read, so that a log that can read several in one request
     * does (issue 14: a transfer's three heads in one round trip, not three); the reads that follow then
     * answer from what it read. A log that cannot does nothing here.
     */
    default void prefetch(List<StreamId> streams) {
    }

    /**
     * Several accounts' streams at once, in the order asked (a sharded account's shards): a log that can
     * read them in one request does.
     */
    default List<Optional<Versioned<AccountState>>> accounts(List<String> accountIds) {
        return accountIds.stream().map(this::account).toList();
    }

    Optional<Versioned<TransferState>> transfer(String transferId);

    Optional<Versioned<TransactionState>> transaction(String transactionId);

    Optional<Versioned<ReversalState>> reversal(String reversalId);

    /**
     * A batch's record. Only a log that takes batches answers it: one that does not (a benchmark's log of
     * transfers) refuses the question rather than answer "never recorded", which would break the batch id's
     * idempotency.
     */
    default Optional<Versioned<BatchState>> batch(String batchId) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not keep batches");
    }
}

package dev.ledger.domain.ledger;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transfer.TransferState;
import java.util.Optional;

/** Where the ledger reads the current state of the streams a command touches. */
public interface LedgerStreams {

    Optional<Versioned<AccountState>> account(String accountId);

    Optional<Versioned<TransferState>> transfer(String transferId);

    Optional<Versioned<TransactionState>> transaction(String transactionId);

    Optional<Versioned<ReversalState>> reversal(String reversalId);
}

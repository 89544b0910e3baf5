package dev.ledger.domain.ledger;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.batch.BatchState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AuditEvent;
import dev.ledger.domain.audit.AuditTrail;
import dev.ledger.domain.api.BatchEvent;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.ReversalEvent;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.api.TransactionEvent;
import dev.ledger.domain.api.TransferEvent;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transfer.TransferState;
import java.util.Optional;

/**
 * The fold of any stream, by the kind of its events: each kind's own {@code evolve} (accounts,
 * transfers, transactions, reversals, batches, the audit trail), chosen here once, for readers that fold a stream without knowing its kind.
 */
public final class StreamFold {

    private StreamFold() {
    }

    /** @param before the state before {@code event}; null before the stream's first event */
    public static StreamState evolve(StreamState before, LedgerEvent event) {
        if (event instanceof AccountEvent accountEvent) {
            return AccountState.evolve(Optional.ofNullable((AccountState) before), accountEvent);
        } else if (event instanceof TransferEvent transferEvent) {
            return TransferState.evolve(Optional.ofNullable((TransferState) before), transferEvent);
        } else if (event instanceof TransactionEvent transactionEvent) {
            return TransactionState.evolve(Optional.ofNullable((TransactionState) before), transactionEvent);
        } else if (event instanceof ReversalEvent reversalEvent) {
            return ReversalState.evolve(Optional.ofNullable((ReversalState) before), reversalEvent);
        } else if (event instanceof BatchEvent batchEvent) {
            return BatchState.evolve(Optional.ofNullable((BatchState) before), batchEvent);
        } else if (event instanceof AuditEvent auditEvent) {
            return AuditTrail.evolve(Optional.ofNullable((AuditTrail) before), auditEvent);
        }
        throw new IllegalArgumentException("no fold for " + event.getClass().getSimpleName());
    }
}

package dev.ledger.domain.api;

import dev.ledger.domain.RejectionCode;
import java.time.Instant;

/** Events of one multi-leg transaction's stream: its request, its outcome, and what became of a hold. */
public sealed interface TransactionEvent extends LedgerEvent {

    String transactionId();

    @Override
    default StreamId streamId() {
        return StreamId.transaction(transactionId());
    }

    /** The transaction was accepted: posted at once, or pending until {@code expiresAt} (else null). */
    record TransactionRecorded(String transactionId, TransactionRequest request, Instant expiresAt)
            implements TransactionEvent {
    }

    /**
     * The first attempt was refused; no account was touched.
     *
     * @param failedEntry the index of the entry that failed; null when the refusal is about the whole
     *     transaction (it does not balance, or it has a single account)
     */
    record TransactionRejected(String transactionId, TransactionRequest request, RejectionCode code, String message,
                               Integer failedEntry) implements TransactionEvent {
    }

    /** A pending transaction was posted in full: every account's hold became a posted amount. */
    record PendingTransactionPosted(String transactionId) implements TransactionEvent {
    }

    record PendingTransactionVoided(String transactionId) implements TransactionEvent {
    }

    record PendingTransactionExpired(String transactionId) implements TransactionEvent {
    }

    /**
     * The posted transaction was reversed in full by the reversal {@code reversalId}: every account's net
     * went back, in the same append as the reversal's record and the accounts'
     * {@link AccountEvent.TransactionEntriesReversed}. {@code forced} when an operator allowed it past a
     * floor or a freeze. A transaction is reversed at most once.
     */
    record TransactionReversed(String transactionId, String reversalId, boolean forced) implements TransactionEvent {
    }
}

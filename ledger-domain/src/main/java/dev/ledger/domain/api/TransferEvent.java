package dev.ledger.domain.api;

import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.money.Money;
import java.time.Instant;

/** Events of one transfer's stream: its request, its outcome, and what became of a hold. */
public sealed interface TransferEvent extends LedgerEvent {

    String transferId();

    @Override
    default StreamId streamId() {
        return StreamId.transfer(transferId());
    }

    /** The transfer was accepted: posted at once, or pending until {@code expiresAt} (else null). */
    record TransferRecorded(String transferId, TransferRequest request, Instant expiresAt) implements TransferEvent {
    }

    /** The first attempt was refused; no account was touched. */
    record TransferRejected(String transferId, TransferRequest request, RejectionCode code, String message)
            implements TransferEvent {
    }

    /** A hold was posted: {@code postedAmount} moved, {@code releasedAmount} went back. */
    record PendingTransferPosted(String transferId, Money postedAmount, Money releasedAmount)
            implements TransferEvent {
    }

    record PendingTransferVoided(String transferId, Money amount) implements TransferEvent {
    }

    record PendingTransferExpired(String transferId, Money amount) implements TransferEvent {
    }
}

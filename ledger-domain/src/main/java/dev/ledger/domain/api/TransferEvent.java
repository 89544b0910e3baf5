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

    /**
     * The transfer was accepted: posted at once, or pending until {@code expiresAt} (else null).
     * {@code debitShard} and {@code creditShard} say which shard of a sharded account took its leg (0 for
     * an account that is not sharded, and in logs written before issue 13).
     */
    record TransferRecorded(String transferId, TransferRequest request, Instant expiresAt, int debitShard,
                            int creditShard) implements TransferEvent {

        /** A transfer between accounts that are not sharded. */
        public TransferRecorded(String transferId, TransferRequest request, Instant expiresAt) {
            this(transferId, request, expiresAt, 0, 0);
        }
    }

    /** The first attempt was refused; no account was touched. */
    record TransferRejected(String transferId, TransferRequest request, RejectionCode code, String message)
            implements TransferEvent {
    }

    /**
     * A hold was posted: {@code postedAmount} moved, {@code releasedAmount} went back.
     *
     * @param requested what the post asked for; null in logs written before it was recorded (issue 12),
     *     where it can only be inferred from the amounts
     */
    record PendingTransferPosted(String transferId, Money postedAmount, Money releasedAmount, PostRequest requested)
            implements TransferEvent {

        /** A post as logs before issue 12 recorded it: without what the post asked for. */
        public PendingTransferPosted(String transferId, Money postedAmount, Money releasedAmount) {
            this(transferId, postedAmount, releasedAmount, null);
        }
    }

    record PendingTransferVoided(String transferId, Money amount) implements TransferEvent {
    }

    /**
     * Part or all of a posted transfer went back, by the reversal {@code reversalId}; {@code forced}
     * when an operator allowed it past a floor or a freeze.
     */
    record TransferReversed(String transferId, String reversalId, Money amount, boolean forced)
            implements TransferEvent {
    }

    record PendingTransferExpired(String transferId, Money amount) implements TransferEvent {
    }
}

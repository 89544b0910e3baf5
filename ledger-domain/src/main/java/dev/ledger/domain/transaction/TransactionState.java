package dev.ledger.domain.transaction;

import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.api.TransactionEvent;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionExpired;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionPosted;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionVoided;
import dev.ledger.domain.api.TransactionEvent.TransactionRecorded;
import dev.ledger.domain.api.TransactionEvent.TransactionRejected;
import dev.ledger.domain.api.TransactionEvent.TransactionReversed;
import dev.ledger.domain.api.TransactionRequest;
import java.time.Instant;
import java.util.Optional;

/**
 * What became of one multi-leg transaction. {@link #evolve} is the one fold of transaction events.
 *
 * @param expiresAt when a pending transaction times out; null for one that posted at once
 * @param rejection why the first attempt was refused; null unless {@code REJECTED}
 * @param reversedBy the reversal that gave it back in full; null until one did (it stays {@code POSTED})
 */
public record TransactionState(String transactionId, TransactionRequest request, TransactionStatus status,
                               Instant expiresAt, Rejection rejection, ReversedBy reversedBy) implements StreamState {

    /** The reversal of a posted transaction: its id, and whether an operator forced it. */
    public record ReversedBy(String reversalId, boolean forced) {
    }

    /** A transaction never reversed. */
    public TransactionState(String transactionId, TransactionRequest request, TransactionStatus status,
                            Instant expiresAt, Rejection rejection) {
        this(transactionId, request, status, expiresAt, rejection, null);
    }

    public static TransactionState evolve(Optional<TransactionState> state, TransactionEvent event) {
        if (event instanceof TransactionRecorded recorded) {
            requireFirst(state, event);
            return new TransactionState(recorded.transactionId(), recorded.request(),
                    recorded.request().pending() ? TransactionStatus.PENDING : TransactionStatus.POSTED,
                    recorded.expiresAt(), null);
        }
        if (event instanceof TransactionRejected rejected) {
            requireFirst(state, event);
            return new TransactionState(rejected.transactionId(), rejected.request(), TransactionStatus.REJECTED, null,
                    new Rejection(rejected.code(), rejected.message(), rejected.failedEntry()));
        }
        TransactionState current = state.orElseThrow(() -> new IllegalStateException(
                "transaction " + event.transactionId() + " has an event before it was recorded"));
        if (event instanceof TransactionReversed reversed) {
            if (current.status != TransactionStatus.POSTED) {
                throw new IllegalStateException("transaction " + event.transactionId() + " is " + current.status
                        + " and cannot be reversed");
            }
            if (current.reversedBy != null) {
                throw new IllegalStateException("transaction " + event.transactionId() + " is reversed twice: by "
                        + current.reversedBy.reversalId() + " and by " + reversed.reversalId());
            }
            return new TransactionState(current.transactionId, current.request, current.status, current.expiresAt,
                    current.rejection, new ReversedBy(reversed.reversalId(), reversed.forced()));
        }
        if (current.status != TransactionStatus.PENDING) {
            throw new IllegalStateException("transaction " + event.transactionId() + " is " + current.status
                    + " and cannot change again");
        }
        if (event instanceof PendingTransactionPosted) {
            return current.with(TransactionStatus.POSTED);
        } else if (event instanceof PendingTransactionVoided) {
            return current.with(TransactionStatus.VOIDED);
        } else if (event instanceof PendingTransactionExpired) {
            return current.with(TransactionStatus.EXPIRED);
        }
        throw new IllegalArgumentException("unknown transaction event " + event.getClass().getSimpleName());
    }

    @Override
    public StreamId streamId() {
        return StreamId.transaction(transactionId);
    }

    /** A pending transaction whose timeout has passed, but whose expiry is not yet recorded. */
    public boolean isOverdue(Instant now) {
        return status == TransactionStatus.PENDING && !now.isBefore(expiresAt);
    }

    /** Whether its accounts hold its net movements now. */
    public boolean isPending() {
        return status == TransactionStatus.PENDING;
    }

    public boolean isRejected() {
        return status == TransactionStatus.REJECTED;
    }

    public boolean isReversed() {
        return reversedBy != null;
    }

    /** A pending transaction that was posted: what a post sent again repeats. */
    public boolean isPostedHold() {
        return status == TransactionStatus.POSTED && request.pending();
    }

    public RejectionCode rejectionCode() {
        return rejection == null ? null : rejection.code();
    }

    private TransactionState with(TransactionStatus newStatus) {
        return new TransactionState(transactionId, request, newStatus, expiresAt, rejection, reversedBy);
    }

    private static void requireFirst(Optional<TransactionState> state, TransactionEvent event) {
        if (state.isPresent()) {
            throw new IllegalStateException("transaction " + event.transactionId() + " is recorded twice in its stream");
        }
    }
}

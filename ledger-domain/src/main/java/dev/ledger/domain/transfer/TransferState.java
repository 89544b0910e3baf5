package dev.ledger.domain.transfer;

import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.api.PostRequest;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.api.TransferEvent;
import dev.ledger.domain.api.TransferEvent.PendingTransferExpired;
import dev.ledger.domain.api.TransferEvent.PendingTransferPosted;
import dev.ledger.domain.api.TransferEvent.PendingTransferVoided;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferEvent.TransferRejected;
import dev.ledger.domain.api.TransferEvent.TransferReversed;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.money.Money;
import java.time.Instant;
import java.util.Optional;

/**
 * What became of one transfer. {@link #evolve} is the one fold of transfer events.
 *
 * @param expiresAt when a pending hold times out; null for a transfer that posted at once
 * @param postedAmount what actually moved: the amount, a partial post, or zero
 * @param rejection why the first attempt was refused; null unless {@code REJECTED}
 * @param postRequest what the post of a hold asked for; null unless a post recorded it (issue 12 on)
 * @param reversedAmount what its reversals gave back so far (zero until one does)
 * @param debitShard the shard of the debit account its leg is on (0 unless that account is sharded): where
 *     a hold is held, and so where its post, void or expiry goes
 * @param creditShard the same for the credit account
 */
public record TransferState(String transferId, TransferRequest request, TransferStatus status, Instant expiresAt,
                            Money postedAmount, Rejection rejection, PostRequest postRequest, Money reversedAmount,
                            int debitShard, int creditShard)
        implements StreamState {

    public TransferState {
        if (reversedAmount == null) {
            reversedAmount = Money.zero(request.amount().currency());
        }
    }

    /** A transfer whose accounts are not sharded. */
    public TransferState(String transferId, TransferRequest request, TransferStatus status, Instant expiresAt,
                         Money postedAmount, Rejection rejection, PostRequest postRequest, Money reversedAmount) {
        this(transferId, request, status, expiresAt, postedAmount, rejection, postRequest, reversedAmount, 0, 0);
    }

    /** A transfer with no recorded post request, never reversed. */
    public TransferState(String transferId, TransferRequest request, TransferStatus status, Instant expiresAt,
                         Money postedAmount, Rejection rejection) {
        this(transferId, request, status, expiresAt, postedAmount, rejection, null, null);
    }

    /** A transfer never reversed. */
    public TransferState(String transferId, TransferRequest request, TransferStatus status, Instant expiresAt,
                         Money postedAmount, Rejection rejection, PostRequest postRequest) {
        this(transferId, request, status, expiresAt, postedAmount, rejection, postRequest, null);
    }

    public static TransferState evolve(Optional<TransferState> state, TransferEvent event) {
        if (event instanceof TransferRecorded recorded) {
            requireFirst(state, event);
            return new TransferState(recorded.transferId(), recorded.request(),
                    recorded.request().pending() ? TransferStatus.PENDING : TransferStatus.POSTED,
                    recorded.expiresAt(),
                    recorded.request().pending() ? Money.zero(recorded.request().amount().currency())
                            : recorded.request().amount(),
                    null, null, null, recorded.debitShard(), recorded.creditShard());
        }
        if (event instanceof TransferRejected rejected) {
            requireFirst(state, event);
            return new TransferState(rejected.transferId(), rejected.request(), TransferStatus.REJECTED, null,
                    Money.zero(rejected.request().amount().currency()),
                    new Rejection(rejected.code(), rejected.message()));
        }
        TransferState current = state.orElseThrow(() -> new IllegalStateException(
                "transfer " + event.transferId() + " has an event before it was recorded"));
        if (event instanceof TransferReversed reversed) {
            if (current.status != TransferStatus.POSTED) {
                throw new IllegalStateException("transfer " + event.transferId() + " is " + current.status
                        + " and cannot be reversed");
            }
            // A total past the posted amount folds (replay verify reports it) rather than hiding the log.
            return new TransferState(current.transferId, current.request, current.status, current.expiresAt,
                    current.postedAmount, current.rejection, current.postRequest,
                    current.reversedAmount.plus(reversed.amount()), current.debitShard, current.creditShard);
        }
        if (current.status != TransferStatus.PENDING) {
            throw new IllegalStateException("transfer " + event.transferId() + " is " + current.status
                    + " and cannot change again");
        }
        if (event instanceof PendingTransferPosted posted) {
            return new TransferState(current.transferId, current.request, TransferStatus.POSTED, current.expiresAt,
                    posted.postedAmount(), current.rejection, posted.requested(), current.reversedAmount,
                    current.debitShard, current.creditShard);
        } else if (event instanceof PendingTransferVoided) {
            return current.with(TransferStatus.VOIDED, current.postedAmount);
        } else if (event instanceof PendingTransferExpired) {
            return current.with(TransferStatus.EXPIRED, current.postedAmount);
        }
        throw new IllegalArgumentException("unknown transfer event " + event.getClass().getSimpleName());
    }

    @Override
    public StreamId streamId() {
        return StreamId.transfer(transferId);
    }

    /** The amount still held on both accounts: the whole amount while pending, else zero. */
    public Money pendingAmount() {
        return status == TransferStatus.PENDING ? request.amount() : Money.zero(request.amount().currency());
    }

    /** What reversals may still give back: the posted amount less what reversals gave back. */
    public Money reversibleAmount() {
        return postedAmount.minus(reversedAmount);
    }

    /** A pending hold whose timeout has passed, but whose expiry is not yet recorded. */
    public boolean isOverdue(Instant now) {
        return status == TransferStatus.PENDING && !now.isBefore(expiresAt);
    }

    public boolean isRejected() {
        return status == TransferStatus.REJECTED;
    }

    public RejectionCode rejectionCode() {
        return rejection == null ? null : rejection.code();
    }

    /**
     * Whether a post asking for {@code asked} (null: no amount) repeats the post that completed this
     * hold, so that it is answered as that post was. A post that recorded what it asked for is repeated
     * only by exactly that request. A post recorded before requests were (issue 12) is matched by what
     * its amounts allow: a full post by no amount or the full amount (the same capture either way); a
     * partial post by its amount, the only request that could have made it.
     */
    public boolean isCompletedByPost(Money asked) {
        if (status != TransferStatus.POSTED || !request.pending()) {
            return false;
        }
        if (postRequest != null) {
            return PostRequest.of(asked).equals(postRequest);
        }
        return asked == null ? postedAmount.equals(request.amount()) : asked.equals(postedAmount);
    }

    private TransferState with(TransferStatus newStatus, Money newPostedAmount) {
        return new TransferState(transferId, request, newStatus, expiresAt, newPostedAmount, rejection, postRequest,
                reversedAmount, debitShard, creditShard);
    }

    private static void requireFirst(Optional<TransferState> state, TransferEvent event) {
        if (state.isPresent()) {
            throw new IllegalStateException("transfer " + event.transferId() + " is recorded twice in its stream");
        }
    }
}

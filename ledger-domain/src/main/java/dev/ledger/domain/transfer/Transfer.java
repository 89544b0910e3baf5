package dev.ledger.domain.transfer;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import dev.ledger.domain.Decision;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.api.PostRequest;
import dev.ledger.domain.api.TransferCommand.ExpirePendingTransfer;
import dev.ledger.domain.api.TransferCommand.PostPendingTransfer;
import dev.ledger.domain.api.TransferCommand.RecordTransfer;
import dev.ledger.domain.api.TransferCommand.RejectTransfer;
import dev.ledger.domain.api.TransferCommand.ReverseTransfer;
import dev.ledger.domain.api.TransferCommand.VoidPendingTransfer;
import dev.ledger.domain.api.TransferEvent;
import dev.ledger.domain.api.TransferEvent.PendingTransferExpired;
import dev.ledger.domain.api.TransferEvent.PendingTransferPosted;
import dev.ledger.domain.api.TransferEvent.PendingTransferVoided;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferEvent.TransferRejected;
import dev.ledger.domain.api.TransferEvent.TransferReversed;
import dev.ledger.domain.money.Money;
import java.time.Instant;
import java.util.Optional;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;

/**
 * One transfer, as an Axon aggregate: it owns the transfer's status, so the rules of holds (post
 * only while pending and before the timeout, never more than was held) live here. The money
 * itself moves on the two {@link dev.ledger.domain.account.Account}s in the same unit of work.
 */
public class Transfer {

    @AggregateIdentifier
    private String transferId;
    private TransferState state;

    /** Axon rebuilds a transfer from its events through this. */
    protected Transfer() {
    }

    @CommandHandler
    public Transfer(RecordTransfer command) {
        apply(new TransferRecorded(command.transferId(), command.request(), command.expiresAt(),
                command.debitShard(), command.creditShard()));
    }

    @CommandHandler
    public Transfer(RejectTransfer command) {
        apply(new TransferRejected(command.transferId(), command.request(), command.rejection().code(),
                command.rejection().message()));
    }

    public static Transfer fromState(TransferState state) {
        Transfer transfer = new Transfer();
        transfer.transferId = state.transferId();
        transfer.state = state;
        return transfer;
    }

    public TransferState state() {
        return state;
    }

    @CommandHandler
    public Decision handle(PostPendingTransfer command) {
        if (state.isCompletedByPost(command.amount())) {
            return Decision.alreadyApplied();
        }
        Optional<Decision> refusal = refuseChange(command.now());
        if (refusal.isPresent()) {
            return refusal.get();
        }
        Money held = state.request().amount();
        Money posted = command.amount() == null ? held : command.amount();
        if (!posted.currency().equals(held.currency())) {
            return Decision.rejected(RejectionCode.CURRENCY_MISMATCH, "transfer " + transferId + " is in "
                    + held.currency() + " but the amount to post is in " + posted.currency());
        }
        if (!posted.isPositive()) {
            return Decision.rejected(RejectionCode.AMOUNT_EXCEEDS_PENDING, "the amount to post must be greater than zero");
        }
        if (posted.isGreaterThan(held)) {
            return Decision.rejected(RejectionCode.AMOUNT_EXCEEDS_PENDING, "transfer " + transferId + " holds "
                    + held + "; cannot post " + posted);
        }
        apply(new PendingTransferPosted(transferId, posted, held.minus(posted), PostRequest.of(command.amount())));
        return Decision.accepted();
    }

    /** A void sent again after it voided the hold is answered as the first; a void asks for nothing more. */
    @CommandHandler
    public Decision handle(VoidPendingTransfer command) {
        if (state.status() == TransferStatus.VOIDED) {
            return Decision.alreadyApplied();
        }
        Optional<Decision> refusal = refuseChange(command.now());
        if (refusal.isPresent()) {
            return refusal.get();
        }
        apply(new PendingTransferVoided(transferId, state.request().amount()));
        return Decision.accepted();
    }

    /**
     * A posted transfer gives back part or all of what it posted, never more in total: what its
     * reversals gave back is in its state, and the reversal appends to this stream conditional on its
     * version, so of two reversals decided on the same version only one is written.
     */
    @CommandHandler
    public Decision handle(ReverseTransfer command) {
        if (state.status() != TransferStatus.POSTED) {
            return Decision.rejected(RejectionCode.TRANSFER_NOT_POSTED, "transfer " + transferId + " is "
                    + state.status() + "; only a posted transfer can be reversed");
        }
        Money reversible = state.reversibleAmount();
        Money amount = command.amount() == null ? reversible : command.amount();
        if (!amount.currency().equals(reversible.currency())) {
            return Decision.rejected(RejectionCode.CURRENCY_MISMATCH, "transfer " + transferId + " is in "
                    + reversible.currency() + " but the amount to reverse is in " + amount.currency());
        }
        if (!reversible.isPositive()) {
            return Decision.rejected(RejectionCode.REVERSAL_EXCEEDS_POSTED, "transfer " + transferId + " posted "
                    + state.postedAmount() + " and its reversals gave all of it back; nothing is left to reverse");
        }
        if (!amount.isPositive() || amount.isGreaterThan(reversible)) {
            return Decision.rejected(RejectionCode.REVERSAL_EXCEEDS_POSTED, "transfer " + transferId + " posted "
                    + state.postedAmount() + ", of which " + reversible + " can still be reversed; cannot reverse "
                    + amount);
        }
        apply(new TransferReversed(transferId, command.reversalId(), amount, command.forced()));
        return Decision.accepted();
    }

    /** Expiring is the sweeper's job and may run late or twice: a hold not (or no longer) due is left alone. */
    @CommandHandler
    public Decision handle(ExpirePendingTransfer command) {
        if (state.isOverdue(command.now())) {
            apply(new PendingTransferExpired(transferId, state.request().amount()));
        }
        return Decision.accepted();
    }

    @EventSourcingHandler
    void on(TransferEvent event) {
        state = TransferState.evolve(Optional.ofNullable(state), event);
        transferId = state.transferId();
    }

    private Optional<Decision> refuseChange(Instant now) {
        if (state.status() == TransferStatus.EXPIRED || state.isOverdue(now)) {
            return Optional.of(Decision.rejected(RejectionCode.TRANSFER_EXPIRED, "transfer " + transferId
                    + " expired at " + state.expiresAt() + " and can no longer be posted or voided"));
        }
        if (state.status() != TransferStatus.PENDING) {
            return Optional.of(Decision.rejected(RejectionCode.TRANSFER_NOT_PENDING, "transfer " + transferId
                    + " is " + state.status() + ", not PENDING"));
        }
        return Optional.empty();
    }
}

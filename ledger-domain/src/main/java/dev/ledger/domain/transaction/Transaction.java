package dev.ledger.domain.transaction;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import dev.ledger.domain.Decision;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.api.TransactionCommand.ExpirePendingTransaction;
import dev.ledger.domain.api.TransactionCommand.PostPendingTransaction;
import dev.ledger.domain.api.TransactionCommand.RecordTransaction;
import dev.ledger.domain.api.TransactionCommand.RejectTransaction;
import dev.ledger.domain.api.TransactionCommand.ReverseTransaction;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransactionCommand.VoidPendingTransaction;
import dev.ledger.domain.api.TransactionEvent;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionExpired;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionPosted;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionVoided;
import dev.ledger.domain.api.TransactionEvent.TransactionRecorded;
import dev.ledger.domain.api.TransactionEvent.TransactionRejected;
import dev.ledger.domain.api.TransactionEvent.TransactionReversed;
import java.time.Instant;
import java.util.Optional;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;

/**
 * One multi-leg transaction, as an Axon aggregate: it owns the transaction's status, so the rules of a
 * pending one (post or void only while pending and before the timeout) live here. The money moves on
 * its {@link dev.ledger.domain.account.Account}s in the same unit of work, one event per account.
 */
public class Transaction {

    @AggregateIdentifier
    private String transactionId;
    private TransactionState state;

    /** Axon rebuilds a transaction from its events through this. */
    protected Transaction() {
    }

    @CommandHandler
    public Transaction(RecordTransaction command) {
        apply(new TransactionRecorded(command.transactionId(), command.request(), command.expiresAt()));
    }

    @CommandHandler
    public Transaction(RejectTransaction command) {
        apply(new TransactionRejected(command.transactionId(), command.request(), command.rejection().code(),
                command.rejection().message(), command.rejection().failedEntry()));
    }

    public static Transaction fromState(TransactionState state) {
        Transaction transaction = new Transaction();
        transaction.transactionId = state.transactionId();
        transaction.state = state;
        return transaction;
    }

    public TransactionState state() {
        return state;
    }

    /** A post sent again after it posted the pending transaction is answered as the first; nothing else repeats. */
    @CommandHandler
    public Decision handle(PostPendingTransaction command) {
        if (state.isPostedHold()) {
            return Decision.alreadyApplied();
        }
        return refuseChange(command.now()).orElseGet(() -> {
            apply(new PendingTransactionPosted(transactionId));
            return Decision.accepted();
        });
    }

    /** A void sent again after it voided the pending transaction is answered as the first. */
    @CommandHandler
    public Decision handle(VoidPendingTransaction command) {
        if (state.status() == TransactionStatus.VOIDED) {
            return Decision.alreadyApplied();
        }
        return refuseChange(command.now()).orElseGet(() -> {
            apply(new PendingTransactionVoided(transactionId));
            return Decision.accepted();
        });
    }

    /**
     * A posted transaction is reversed in full, once: its state knows whether a reversal gave it back,
     * and the reversal appends to this stream conditional on its version, so of two reversals decided on
     * the same version only one is written. One whose reversal cannot fit one atomic append is refused.
     */
    @CommandHandler
    public Decision handle(ReverseTransaction command) {
        if (state.status() != TransactionStatus.POSTED) {
            return Decision.rejected(RejectionCode.TRANSACTION_NOT_POSTED, "transaction " + transactionId + " is "
                    + state.status() + "; only a posted transaction can be reversed");
        }
        if (state.isReversed()) {
            return Decision.rejected(RejectionCode.REVERSAL_EXCEEDS_POSTED, "transaction " + transactionId
                    + " was already reversed in full by " + state.reversedBy().reversalId()
                    + "; nothing is left to reverse");
        }
        int accounts = state.request().accountIds().size();
        if (accounts > TransactionRequest.MAX_REVERSIBLE_ACCOUNTS) {
            return Decision.rejected(RejectionCode.REVERSAL_TOO_LARGE, "transaction " + transactionId + " touches "
                    + accounts + " distinct accounts; a reversal can give back at most "
                    + TransactionRequest.MAX_REVERSIBLE_ACCOUNTS + " in one atomic write of at most 100 items (2 for"
                    + " the reversal, 2 for the transaction, 2 per account): book a new transaction with the"
                    + " opposite entries instead");
        }
        apply(new TransactionReversed(transactionId, command.reversalId(), command.forced()));
        return Decision.accepted();
    }

    /** Expiring is the sweeper's job and may run late or twice: one not (or no longer) due is left alone. */
    @CommandHandler
    public Decision handle(ExpirePendingTransaction command) {
        if (state.isOverdue(command.now())) {
            apply(new PendingTransactionExpired(transactionId));
        }
        return Decision.accepted();
    }

    @EventSourcingHandler
    void on(TransactionEvent event) {
        state = TransactionState.evolve(Optional.ofNullable(state), event);
        transactionId = state.transactionId();
    }

    private Optional<Decision> refuseChange(Instant now) {
        if (state.status() == TransactionStatus.EXPIRED || state.isOverdue(now)) {
            return Optional.of(Decision.rejected(RejectionCode.TRANSACTION_EXPIRED, "transaction " + transactionId
                    + " expired at " + state.expiresAt() + " and can no longer be posted or voided"));
        }
        if (state.status() != TransactionStatus.PENDING) {
            return Optional.of(Decision.rejected(RejectionCode.TRANSACTION_NOT_PENDING, "transaction " + transactionId
                    + " is " + state.status() + ", not PENDING"));
        }
        return Optional.empty();
    }
}

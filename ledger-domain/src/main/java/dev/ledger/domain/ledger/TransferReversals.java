package dev.ledger.domain.ledger;

import dev.ledger.domain.Decision;
import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.ReverseEntry;
import dev.ledger.domain.api.OriginalKind;
import dev.ledger.domain.api.ReversalCommand.RecordReversal;
import dev.ledger.domain.api.ReversalCommand.RejectReversal;
import dev.ledger.domain.api.ReversalEvent;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferCommand.ReverseTransfer;
import dev.ledger.domain.api.TransferEvent.TransferReversed;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.AxonAggregates.Handled;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.reversal.Reversal;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transfer.Transfer;
import dev.ledger.domain.transfer.TransferState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.axonframework.modelling.command.inspection.AggregateModel;
import org.axonframework.modelling.command.inspection.AnnotatedAggregateMetaModelFactory;

/**
 * The ledger's unit of work for a reversal of a transfer (issue 12 §2), apart from {@link Ledger}'s
 * transfers and holds: the reversal's own stream (its idempotency record), the original transfer's
 * and both of its accounts'. A multi-leg transaction's reversal will be a sibling over the same
 * reversal stream type, its request naming {@code OriginalKind.TRANSACTION}.
 */
final class TransferReversals {

    private static final AggregateModel<Reversal> REVERSALS =
            AnnotatedAggregateMetaModelFactory.inspectAggregate(Reversal.class);

    private final LedgerStreams streams;
    private final ShardedAccounts shards;

    TransferReversals(LedgerStreams streams, ShardedAccounts shards) {
        this.streams = streams;
        this.shards = shards;
    }

    /**
     * Gives back part or all of a posted transfer: the opposite legs (its credit account pays its debit
     * account back), as one unit of work over the new reversal's stream, the transfer's (conditional on
     * its version, so concurrent reversals never give back more than was posted) and both accounts.
     * The reversal id is the idempotency key, as a transfer id is: the same request again is
     * {@code ALREADY_APPLIED} (answered at version 1 of the reversal), a refused first attempt stays
     * refused, another request under the id is an {@code idempotency_conflict}. An unknown transfer is
     * refused without a record (it may be recorded later), as is a reversal's id given as the
     * transfer's ({@code cannot_reverse_reversal}).
     */
    LedgerResult reverse(String reversalId, String transferId, Ledger.ReversalAsked asked) {
        StreamId subject = StreamId.reversal(reversalId);
        Optional<Versioned<ReversalState>> earlier = streams.reversal(reversalId);
        Optional<Versioned<TransferState>> loaded = streams.transfer(transferId);
        if (earlier.isPresent()) {
            ReversalState first = earlier.get().state();
            ReversalRequest request = loaded.isEmpty() ? null
                    : asked.inCurrency(loaded.get().state().request().amount().currency());
            if (!first.request().equals(request)) {
                return LedgerResult.rejected(subject, new Rejection(RejectionCode.IDEMPOTENCY_CONFLICT,
                        "reversal id " + reversalId + " was already used for a different request"));
            }
            return first.isRejected() ? LedgerResult.rejected(subject, first.rejection())
                    : LedgerResult.alreadyApplied(subject, 1);
        }
        if (loaded.isEmpty()) {
            if (streams.reversal(transferId).isPresent()) {
                return LedgerResult.rejected(subject, new Rejection(RejectionCode.CANNOT_REVERSE_REVERSAL,
                        transferId + " is a reversal, not a transfer; a reversal cannot be reversed: book a new "
                        + "transfer to move the money again"));
            }
            return Ledger.transferNotFound(transferId, subject);
        }
        Versioned<TransferState> transfer = loaded.get();
        TransferRequest original = transfer.state().request();
        ReversalRequest request = asked.inCurrency(original.amount().currency());
        if (!request.originalId().equals(transferId) || request.originalKind() != OriginalKind.TRANSFER) {
            throw new IllegalArgumentException("the reversal request names " + request.originalKind() + " "
                    + request.originalId() + ", not transfer " + transferId);
        }
        Handled<Transfer> decided = AxonAggregates.handle(Ledger.TRANSFERS, Transfer.fromState(transfer.state()),
                new ReverseTransfer(transferId, reversalId, request.amount(), request.force()));
        if (decided.decision() instanceof Decision.Rejected refused) {
            return recordRefusal(reversalId, request, refused.rejection());
        }
        TransferReversed reversed = (TransferReversed) decided.events().get(0);
        Money amount = reversed.amount();
        // The original's credit account pays back: it is the reversal's debit side. A sharded account
        // pays from, and is paid back on, whichever of its shards the reversal picks.
        Versioned<AccountState> payer = shards.entry(original.creditAccountId(), reversalId)
                .orElseGet(() -> Ledger.existingAccount(streams, original.creditAccountId()));
        Versioned<AccountState> payee = shards.entry(original.debitAccountId(), reversalId)
                .orElseGet(() -> Ledger.existingAccount(streams, original.debitAccountId()));
        ShardedAccounts.Leg debitLeg = shards.debit(payer, reversalId, amount, "reversal",
                new ReverseEntry(original.creditAccountId(), transferId, reversalId, Side.DEBIT,
                        original.debitAccountId(), amount, request.force()));
        if (debitLeg.refused()) {
            return recordRefusal(reversalId, request, debitLeg.rejection()).checking(debitLeg.checks());
        }
        ShardedAccounts.Leg creditLeg = shards.credit(payee, new ReverseEntry(original.debitAccountId(),
                transferId, reversalId, Side.CREDIT, original.creditAccountId(), amount, request.force()));
        if (creditLeg.refused()) {
            return recordRefusal(reversalId, request, creditLeg.rejection());
        }
        List<ReversalEvent.Leg> legs = List.of(new ReversalEvent.Leg(original.creditAccountId(), Side.DEBIT, amount),
                new ReversalEvent.Leg(original.debitAccountId(), Side.CREDIT, amount));
        Handled<Reversal> recorded = AxonAggregates.create(REVERSALS,
                () -> new Reversal(new RecordReversal(reversalId, request, amount, legs)));
        List<StreamChange> changes = new ArrayList<>();
        changes.add(reversalChange(recorded));
        changes.add(Ledger.transferChange(transfer.version(), decided));
        changes.addAll(debitLeg.changes());
        changes.addAll(creditLeg.changes());
        return LedgerResult.applied(subject, changes);
    }

    private LedgerResult recordRefusal(String reversalId, ReversalRequest request, Rejection rejection) {
        Handled<Reversal> refused = AxonAggregates.create(REVERSALS,
                () -> new Reversal(new RejectReversal(reversalId, request, rejection)));
        return LedgerResult.rejected(StreamId.reversal(reversalId), rejection, List.of(reversalChange(refused)));
    }

    private static StreamChange reversalChange(Handled<Reversal> handled) {
        return new StreamChange(handled.root().state().streamId(), 0, handled.events(), handled.root().state());
    }
}

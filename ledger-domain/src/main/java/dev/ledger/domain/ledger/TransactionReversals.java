package dev.ledger.domain.ledger;

import dev.ledger.domain.Decision;
import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.Account;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.ReverseTransactionEntries;
import dev.ledger.domain.api.OriginalKind;
import dev.ledger.domain.api.ReversalCommand.RecordReversal;
import dev.ledger.domain.api.ReversalCommand.RejectReversal;
import dev.ledger.domain.api.ReversalEvent;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionCommand.ReverseTransaction;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.ledger.AxonAggregates.Handled;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.reversal.Reversal;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.Transaction;
import dev.ledger.domain.transaction.TransactionState;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.axonframework.modelling.command.inspection.AggregateModel;
import org.axonframework.modelling.command.inspection.AnnotatedAggregateMetaModelFactory;

/**
 * The ledger's unit of work for the reversal of a posted multi-leg transaction, in full: the sibling of
 * {@link TransferReversals} over the same reversal stream type. One append holds the reversal's own
 * stream (its idempotency record), the transaction's ({@code TransactionReversed}, conditional on the
 * version read, so two reversals of one transaction never both succeed) and one event and head per
 * distinct account, each moving by the opposite of its net in the transaction: at most
 * {@link TransactionRequest#MAX_REVERSIBLE_ACCOUNTS} accounts, 4 + 2 * 48 = 100 items.
 */
final class TransactionReversals {

    private static final AggregateModel<Reversal> REVERSALS =
            AnnotatedAggregateMetaModelFactory.inspectAggregate(Reversal.class);
    private static final AggregateModel<Transaction> TRANSACTIONS =
            AnnotatedAggregateMetaModelFactory.inspectAggregate(Transaction.class);

    private final LedgerStreams streams;

    TransactionReversals(LedgerStreams streams) {
        this.streams = streams;
    }

    /**
     * Gives back every entry of a posted transaction. The reversal id is the idempotency key, as for a
     * transfer's reversal: the same request again is {@code ALREADY_APPLIED} (answered at version 1 of
     * the reversal), a refused first attempt stays refused, another request under the id is an
     * {@code idempotency_conflict}. An unknown transaction is refused without a record (it may be recorded
     * later), as is a reversal's id given as the transaction's ({@code cannot_reverse_reversal}).
     */
    LedgerResult reverse(String reversalId, ReversalRequest request) {
        if (request.originalKind() != OriginalKind.TRANSACTION || request.amount() != null) {
            throw new IllegalArgumentException("a transaction is reversed in full, by a request naming it; got "
                    + request.originalKind() + " " + request.originalId() + " for " + request.amount());
        }
        String transactionId = request.originalId();
        StreamId subject = StreamId.reversal(reversalId);
        Optional<Versioned<ReversalState>> earlier = streams.reversal(reversalId);
        if (earlier.isPresent()) {
            ReversalState first = earlier.get().state();
            if (!first.request().equals(request)) {
                return LedgerResult.rejected(subject, new Rejection(RejectionCode.IDEMPOTENCY_CONFLICT,
                        "reversal id " + reversalId + " was already used for a different request"));
            }
            return first.isRejected() ? LedgerResult.rejected(subject, first.rejection())
                    : LedgerResult.alreadyApplied(subject, 1);
        }
        Optional<Versioned<TransactionState>> loaded = streams.transaction(transactionId);
        if (loaded.isEmpty()) {
            if (streams.reversal(transactionId).isPresent()) {
                return LedgerResult.rejected(subject, new Rejection(RejectionCode.CANNOT_REVERSE_REVERSAL,
                        transactionId + " is a reversal, not a transaction; a reversal cannot be reversed: book a new "
                        + "transaction to move the money again"));
            }
            return LedgerResult.rejected(subject, new Rejection(RejectionCode.TRANSACTION_NOT_FOUND,
                    "transaction " + transactionId + " does not exist"));
        }
        Versioned<TransactionState> transaction = loaded.get();
        Handled<Transaction> decided = AxonAggregates.handle(TRANSACTIONS,
                Transaction.fromState(transaction.state()),
                new ReverseTransaction(transactionId, reversalId, request.force()));
        if (decided.decision() instanceof Decision.Rejected refused) {
            return recordRefusal(reversalId, request, refused.rejection());
        }
        TransactionRequest original = transaction.state().request();
        List<TransactionEntry> reversedEntries = original.reversedEntries();
        List<StreamChange> accounts = new ArrayList<>();
        List<ReversalEvent.Leg> legs = new ArrayList<>();
        Rejection firstFailure = null;
        for (String accountId : original.accountIds()) {
            Versioned<AccountState> account = Ledger.existingAccount(streams, accountId);
            Handled<Account> leg = Ledger.handleAccount(account, new ReverseTransactionEntries(accountId,
                    transactionId, reversalId, reversedEntries, request.force()));
            if (leg.decision() instanceof Decision.Rejected refused) {
                // The entry goes into the message, which the reversal's record keeps, so a repeat answers the same.
                Rejection failure = new Rejection(refused.rejection().code(), "entry "
                        + refused.rejection().failedEntry() + " (account " + accountId + "): "
                        + refused.rejection().message(), refused.rejection().failedEntry());
                if (firstFailure == null || failure.failedEntry() < firstFailure.failedEntry()) {
                    firstFailure = failure;
                }
                continue;
            }
            accounts.add(Ledger.accountChange(account.version(), leg));
            BigInteger net = TransactionEntry.netCredit(reversedEntries, accountId);
            legs.add(new ReversalEvent.Leg(accountId, net.signum() < 0 ? Side.DEBIT : Side.CREDIT,
                    Money.of(net.abs().longValueExact(), account.state().currency())));
        }
        if (firstFailure != null) {
            return recordRefusal(reversalId, request, new Rejection(firstFailure.code(), firstFailure.message()));
        }
        Handled<Reversal> recorded = AxonAggregates.create(REVERSALS,
                () -> new Reversal(new RecordReversal(reversalId, request, null, legs)));
        List<StreamChange> changes = new ArrayList<>();
        changes.add(new StreamChange(subject, 0, recorded.events(), recorded.root().state()));
        changes.add(new StreamChange(transaction.state().streamId(), transaction.version(), decided.events(),
                decided.root().state()));
        changes.addAll(accounts);
        return LedgerResult.applied(subject, changes);
    }

    private LedgerResult recordRefusal(String reversalId, ReversalRequest request, Rejection rejection) {
        Handled<Reversal> refused = AxonAggregates.create(REVERSALS,
                () -> new Reversal(new RejectReversal(reversalId, request, rejection)));
        return LedgerResult.rejected(StreamId.reversal(reversalId), rejection, List.of(
                new StreamChange(StreamId.reversal(reversalId), 0, refused.events(), refused.root().state())));
    }
}

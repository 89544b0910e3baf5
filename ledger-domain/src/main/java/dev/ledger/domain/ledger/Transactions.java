package dev.ledger.domain.ledger;

import dev.ledger.domain.Decision;
import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.Account;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand;
import dev.ledger.domain.api.AccountCommand.ExpireTransactionHold;
import dev.ledger.domain.api.AccountCommand.PlaceTransactionHold;
import dev.ledger.domain.api.AccountCommand.PostTransactionEntries;
import dev.ledger.domain.api.AccountCommand.PostTransactionHold;
import dev.ledger.domain.api.AccountCommand.VoidTransactionHold;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionCommand;
import dev.ledger.domain.api.TransactionCommand.ExpirePendingTransaction;
import dev.ledger.domain.api.TransactionCommand.PostPendingTransaction;
import dev.ledger.domain.api.TransactionCommand.RecordTransaction;
import dev.ledger.domain.api.TransactionCommand.RejectTransaction;
import dev.ledger.domain.api.TransactionCommand.VoidPendingTransaction;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionEvent;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionExpired;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionPosted;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionVoided;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.ledger.AxonAggregates.Handled;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.transaction.Transaction;
import dev.ledger.domain.transaction.TransactionState;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.axonframework.modelling.command.inspection.AggregateModel;
import org.axonframework.modelling.command.inspection.AnnotatedAggregateMetaModelFactory;

/**
 * The {@link Ledger}'s unit of work for multi-leg transactions: the transaction and each of its
 * distinct accounts, decided together, appended together or not at all. Reads go through the same
 * {@link LedgerStreams}, time comes from the same {@link Clock}; the account rules are the
 * {@link Account}'s, through the ledger's own helpers.
 */
final class Transactions {

    private static final AggregateModel<Transaction> TRANSACTIONS =
            AnnotatedAggregateMetaModelFactory.inspectAggregate(Transaction.class);

    /** A pending transaction's stream: its record at version 1, and what became of it (post, void, expiry) at 2. */
    private static final long SETTLEMENT_VERSION = 2;

    private final LedgerStreams streams;
    private final Clock clock;
    private final ShardedAccounts shards;

    Transactions(LedgerStreams streams, Clock clock, ShardedAccounts shards) {
        this.streams = streams;
        this.clock = clock;
        this.shards = shards;
    }

    /**
     * Moves money between many accounts at once, or holds it: every account's rules hold, or nothing
     * moves. The transaction id is the idempotency key, as a transfer's is: the same request again is
     * {@code ALREADY_APPLIED} (or the same refusal), another request under the same id an
     * {@code idempotency_conflict}. A refusal of one account names the lowest entry index that fails.
     *
     * @throws IllegalArgumentException past the limits of one atomic append, which the API refuses first
     */
    LedgerResult record(String transactionId, TransactionRequest request) {
        request.requireWithinLimits();
        StreamId subject = StreamId.transaction(transactionId);
        // The transaction's head and every account's, in one request where the log can.
        List<StreamId> heads = new ArrayList<>();
        heads.add(subject);
        request.accountIds().forEach(accountId -> heads.add(StreamId.account(accountId)));
        streams.prefetch(heads);
        Optional<Versioned<TransactionState>> earlier = streams.transaction(transactionId);
        if (earlier.isPresent()) {
            TransactionState first = earlier.get().state();
            if (!first.request().equals(request)) {
                return LedgerResult.rejected(subject, new Rejection(RejectionCode.IDEMPOTENCY_CONFLICT,
                        "transaction id " + transactionId + " was already used for a different request"));
            }
            return first.isRejected() ? LedgerResult.rejected(subject, first.rejection())
                    : LedgerResult.alreadyApplied(subject, 1);
        }
        Optional<Rejection> unbalanced = unbalanced(request);
        if (unbalanced.isPresent()) {
            return recordTransactionRefusal(transactionId, request, unbalanced.get());
        }
        List<String> accountIds = request.accountIds();
        if (accountIds.size() < 2) {
            return recordTransactionRefusal(transactionId, request, new Rejection(RejectionCode.SAME_ACCOUNT,
                    "a transaction needs at least two different accounts; every entry is on " + accountIds.get(0)));
        }
        Instant expiresAt = request.pending() ? clock.instant().plusSeconds(request.timeoutSeconds()) : null;
        List<StreamChange> legs = new ArrayList<>();
        List<VersionCheck> checks = new ArrayList<>();
        Rejection firstFailure = null;
        for (String accountId : accountIds) {
            Optional<Versioned<AccountState>> account = streams.account(accountId);
            Rejection failure;
            if (account.isEmpty()) {
                failure = new Rejection(RejectionCode.ACCOUNT_NOT_FOUND, "account " + accountId + " of entry "
                        + request.entriesOf(accountId).get(0).index() + " does not exist",
                        request.entriesOf(accountId).get(0).index());
            } else {
                AccountCommand leg = request.pending()
                        ? new PlaceTransactionHold(accountId, transactionId, request.entries(), expiresAt)
                        : new PostTransactionEntries(accountId, transactionId, request.entries());
                // A sharded account's part stays on its own stream (shard 0), so its holds settle there;
                // a net debit that shard 0 lacks the funds for gathers them from the other shards.
                BigInteger net = TransactionEntry.netCredit(request.entries(), accountId);
                ShardedAccounts.Leg handled = net.signum() < 0 && net.negate().bitLength() < Long.SIZE
                        ? shards.debitOnOwnShard(account.get(), transactionId,
                                Money.of(net.negate().longValueExact(), account.get().state().currency()),
                                "transaction", leg)
                        : ShardedAccounts.single(account.get(), Ledger.handleAccount(account.get(), leg));
                if (handled.refused()) {
                    failure = handled.rejection();
                    checks.addAll(handled.checks());
                } else {
                    legs.addAll(handled.changes());
                    continue;
                }
            }
            if (firstFailure == null || failure.failedEntry() < firstFailure.failedEntry()) {
                firstFailure = failure;
            }
        }
        if (firstFailure != null) {
            // An account that does not exist is not recorded: it may be opened, and then the same id may succeed.
            return firstFailure.code() == RejectionCode.ACCOUNT_NOT_FOUND ? LedgerResult.rejected(subject, firstFailure)
                    : recordTransactionRefusal(transactionId, request, firstFailure).checking(checks);
        }
        int items = 2 + legs.stream().mapToInt(change -> change.events().size() + 1).sum();
        if (items > Batches.MAX_TRANSACTION_ITEMS) {
            // Only a transaction that had to gather funds across a sharded account's shards gets here; it
            // is not recorded, so the same request may succeed once the funds sit on fewer shards.
            return LedgerResult.rejected(subject, new Rejection(RejectionCode.TRANSACTION_TOO_LARGE, "the transaction"
                    + " would write " + items + " items, moving funds between the shards of its sharded accounts, but"
                    + " one atomic write holds " + Batches.MAX_TRANSACTION_ITEMS + "; split it into smaller transactions"));
        }
        Handled<Transaction> recorded = AxonAggregates.create(TRANSACTIONS,
                () -> new Transaction(new RecordTransaction(transactionId, request, expiresAt)));
        List<StreamChange> changes = new ArrayList<>();
        changes.add(transactionChange(0, recorded));
        changes.addAll(legs);
        return LedgerResult.applied(subject, changes);
    }

    /**
     * Posts a pending transaction in full: every account's held net movement becomes posted. A post again
     * once it posted is {@code ALREADY_APPLIED} (version 2); a void again after a void likewise.
     */
    LedgerResult post(String transactionId) {
        Instant now = clock.instant();
        return settleTransaction(transactionId, new PostPendingTransaction(transactionId, now), now);
    }

    LedgerResult voidPending(String transactionId) {
        Instant now = clock.instant();
        return settleTransaction(transactionId, new VoidPendingTransaction(transactionId, now), now);
    }

    /** Records the expiry of an overdue pending transaction; one not due, or no longer pending, is left alone. */
    LedgerResult expire(String transactionId) {
        Instant now = clock.instant();
        return settleTransaction(transactionId, new ExpirePendingTransaction(transactionId, now), now);
    }

    /**
     * In each currency, the debits must equal the credits. Summed exactly (a request may hold many
     * amounts near the largest one); the refusal names the currency and the difference.
     */
    private static Optional<Rejection> unbalanced(TransactionRequest request) {
        Map<CurrencyUnit, BigInteger[]> totals = new TreeMap<>(Comparator.comparing(CurrencyUnit::code));
        for (TransactionEntry entry : request.entries()) {
            BigInteger[] sides = totals.computeIfAbsent(entry.amount().currency(),
                    c -> new BigInteger[] {BigInteger.ZERO, BigInteger.ZERO});
            int side = entry.direction() == Side.DEBIT ? 0 : 1;
            sides[side] = sides[side].add(BigInteger.valueOf(entry.amount().minorUnits()));
        }
        for (Map.Entry<CurrencyUnit, BigInteger[]> currency : totals.entrySet()) {
            BigInteger debits = currency.getValue()[0];
            BigInteger credits = currency.getValue()[1];
            if (!debits.equals(credits)) {
                return Optional.of(new Rejection(RejectionCode.UNBALANCED, "the " + currency.getKey().code()
                        + " entries do not balance: debits " + decimal(debits, currency.getKey()) + ", credits "
                        + decimal(credits, currency.getKey()) + ", a difference of "
                        + decimal(debits.subtract(credits).abs(), currency.getKey())));
            }
        }
        return Optional.empty();
    }

    private static String decimal(BigInteger minorUnits, CurrencyUnit currency) {
        return new BigDecimal(minorUnits, currency.minorDigits()).toPlainString() + " " + currency.code();
    }

    /** Post, void or expire a pending transaction: the transaction decides, then every account follows. */
    private LedgerResult settleTransaction(String transactionId, TransactionCommand command, Instant now) {
        StreamId subject = StreamId.transaction(transactionId);
        Optional<Versioned<TransactionState>> loaded = streams.transaction(transactionId);
        if (loaded.isEmpty()) {
            return transactionNotFound(transactionId);
        }
        Versioned<TransactionState> transaction = loaded.get();
        Handled<Transaction> decided = AxonAggregates.handle(TRANSACTIONS,
                Transaction.fromState(transaction.state()), command);
        if (decided.decision() instanceof Decision.AlreadyApplied) {
            // The same post, or void, again: answered as that command left the transaction (version 2).
            return LedgerResult.alreadyApplied(subject, SETTLEMENT_VERSION);
        }
        if (decided.decision() instanceof Decision.Rejected refused) {
            // A post or void that finds the transaction overdue records the expiry the sweeper has not written yet.
            List<StreamChange> expiry = transaction.state().isOverdue(now)
                    ? settleTransaction(transactionId, new ExpirePendingTransaction(transactionId, now), now).changes()
                    : List.of();
            return LedgerResult.rejected(subject, refused.rejection(), expiry);
        }
        if (decided.events().isEmpty()) {
            return LedgerResult.applied(subject, List.of());
        }
        TransactionEvent outcome = (TransactionEvent) decided.events().get(0);
        TransactionRequest request = transaction.state().request();
        List<StreamChange> changes = new ArrayList<>();
        changes.add(transactionChange(transaction.version(), decided));
        for (String accountId : request.accountIds()) {
            Versioned<AccountState> account = Ledger.existingAccount(streams, accountId);
            requireTransactionHold(transaction, account);
            Handled<Account> leg = Ledger.handleAccount(account, settlingTransactionLeg(outcome, request, accountId));
            if (leg.decision() instanceof Decision.Rejected refused) {
                return LedgerResult.rejected(subject, refused.rejection());
            }
            changes.add(Ledger.accountChange(account.version(), leg));
        }
        return LedgerResult.applied(subject, changes);
    }

    private static AccountCommand settlingTransactionLeg(TransactionEvent outcome, TransactionRequest request,
                                                         String accountId) {
        String transactionId = outcome.transactionId();
        if (outcome instanceof PendingTransactionPosted) {
            return new PostTransactionHold(accountId, transactionId, request.entries());
        } else if (outcome instanceof PendingTransactionVoided) {
            return new VoidTransactionHold(accountId, transactionId, request.entries());
        } else if (outcome instanceof PendingTransactionExpired) {
            return new ExpireTransactionHold(accountId, transactionId, request.entries());
        }
        throw new IllegalStateException("no account leg for " + outcome.getClass().getSimpleName());
    }

    /**
     * As {@code Ledger.requireHold} for a transfer: a pending transaction's net movement is held on each of its
     * accounts, and an account holding less was read after another command settled it.
     */
    private static void requireTransactionHold(Versioned<TransactionState> transaction,
                                               Versioned<AccountState> account) {
        String accountId = account.state().accountId();
        BigInteger net = TransactionEntry.netCredit(transaction.state().request().entries(), accountId);
        Side side = net.signum() < 0 ? Side.DEBIT : Side.CREDIT;
        if (BigInteger.valueOf(account.state().pending(side)).compareTo(net.abs()) < 0) {
            String transactionId = transaction.state().transactionId();
            throw new InconsistentStreamsException(new InconsistentStreamsException.View(
                    StreamId.transaction(transactionId), transaction.version(), StreamId.account(accountId),
                    account.version()),
                    "transaction " + transactionId + " at version " + transaction.version() + " is "
                    + transaction.state().status() + " and holds " + net.abs() + " minor units on account " + accountId
                    + ", but the account at version " + account.version() + " has only "
                    + account.state().pending(side) + " of " + side.name().toLowerCase() + "s pending: the heads were"
                    + " read while another command settled this transaction; read them again");
        }
    }

    private LedgerResult recordTransactionRefusal(String transactionId, TransactionRequest request,
                                                  Rejection rejection) {
        Handled<Transaction> refused = AxonAggregates.create(TRANSACTIONS,
                () -> new Transaction(new RejectTransaction(transactionId, request, rejection)));
        return LedgerResult.rejected(StreamId.transaction(transactionId), rejection,
                List.of(transactionChange(0, refused)));
    }

    private static LedgerResult transactionNotFound(String transactionId) {
        return LedgerResult.rejected(StreamId.transaction(transactionId), new Rejection(
                RejectionCode.TRANSACTION_NOT_FOUND, "transaction " + transactionId + " does not exist"));
    }

    private static StreamChange transactionChange(long expectedVersion, Handled<Transaction> handled) {
        return new StreamChange(handled.root().state().streamId(), expectedVersion, handled.events(),
                handled.root().state());
    }
}

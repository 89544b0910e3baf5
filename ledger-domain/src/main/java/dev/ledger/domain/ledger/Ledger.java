package dev.ledger.domain.ledger;

import dev.ledger.domain.Decision;
import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.Account;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand;
import dev.ledger.domain.api.AccountCommand.CloseAccount;
import dev.ledger.domain.api.AccountCommand.CloseShard;
import dev.ledger.domain.api.AccountCommand.OpenShard;
import dev.ledger.domain.api.AccountCommand.RaiseShards;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.account.AccountStatus;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.api.AccountCommand.ExpireHold;
import dev.ledger.domain.api.AccountCommand.FreezeAccount;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountCommand.PlaceHold;
import dev.ledger.domain.api.AccountCommand.PostEntry;
import dev.ledger.domain.api.AccountCommand.PostHold;
import dev.ledger.domain.api.AccountCommand.SetAccountMetadata;
import dev.ledger.domain.api.AccountCommand.UnfreezeAccount;
import dev.ledger.domain.api.AccountCommand.VoidHold;
import dev.ledger.domain.api.BatchEvent.ItemOutcome;
import dev.ledger.domain.api.BatchRequest;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransferCommand;
import dev.ledger.domain.api.TransferCommand.ExpirePendingTransfer;
import dev.ledger.domain.api.TransferCommand.PostPendingTransfer;
import dev.ledger.domain.api.TransferCommand.RecordTransfer;
import dev.ledger.domain.api.TransferCommand.RejectTransfer;
import dev.ledger.domain.api.TransferCommand.VoidPendingTransfer;
import dev.ledger.domain.api.TransferEvent;
import dev.ledger.domain.api.TransferEvent.PendingTransferExpired;
import dev.ledger.domain.api.TransferEvent.PendingTransferPosted;
import dev.ledger.domain.api.TransferEvent.PendingTransferVoided;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.AxonAggregates.Handled;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.transfer.Transfer;
import dev.ledger.domain.transfer.TransferState;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Function;
import org.axonframework.modelling.command.inspection.AggregateModel;
import org.axonframework.modelling.command.inspection.AnnotatedAggregateMetaModelFactory;

/**
 * The ledger's unit of work. Each method loads the streams one command touches, runs the command
 * handlers of every aggregate involved (a transfer: the transfer and both accounts; a multi-leg
 * transaction: the transaction and each of its distinct accounts), and returns all
 * their events as one {@link LedgerResult}, to be appended together or not at all. Nothing here does
 * I/O: reads go through {@link LedgerStreams}, time comes from the {@link Clock} passed in.
 */
public final class Ledger {

    private static final AggregateModel<Account> ACCOUNTS =
            AnnotatedAggregateMetaModelFactory.inspectAggregate(Account.class);
    static final AggregateModel<Transfer> TRANSFERS =
            AnnotatedAggregateMetaModelFactory.inspectAggregate(Transfer.class);

    /** A hold's stream: its record at version 1, and what became of it (post, void, expiry) at 2. */
    private static final long SETTLEMENT_VERSION = 2;

    private final LedgerStreams streams;
    private final Clock clock;
    private final ShardedAccounts shards;
    private final Transactions transactions;
    private final Batches batches;

    public Ledger(LedgerStreams streams, Clock clock) {
        this(streams, clock, 1);
    }

    /**
     * @param attempt which attempt at the command this is (1 for the first): a command that lost a race
     *     on one shard of a sharded account tries the next one ({@link ShardedAccounts})
     */
    public Ledger(LedgerStreams streams, Clock clock, int attempt) {
        this(streams, clock, attempt, ShardCounts.none());
    }

    /**
     * @param shardCounts the shard counts the caller remembers from earlier commands, so that a payment on
     *     a sharded account reads only its shard ({@link ShardCounts})
     */
    public Ledger(LedgerStreams streams, Clock clock, int attempt, ShardCounts shardCounts) {
        this.streams = streams;
        this.clock = clock;
        this.shards = new ShardedAccounts(streams, attempt, shardCounts);
        this.transactions = new Transactions(streams, clock, shards);
        this.batches = new Batches(streams, clock, attempt, shardCounts);
    }

    /** Opens an account that is not sharded; see {@link #openAccount(OpenAccount, int)}. */
    public LedgerResult openAccount(OpenAccount command) {
        return openAccount(command, 1);
    }

    /**
     * Opens an account with {@code shardCount} shards (1: not sharded); opening it again with the same
     * settings (its metadata as it is now included), and no more shards than it has, is answered as
     * already done.
     */
    public LedgerResult openAccount(OpenAccount command, int shardCount) {
        requireShardCount(shardCount);
        StreamId subject = StreamId.account(command.accountId());
        Optional<Versioned<AccountState>> existing = streams.account(command.accountId());
        if (existing.isPresent()) {
            AccountState account = existing.get().state();
            if (account.currency().equals(command.currency())
                    && account.overdraftLimit().equals(command.overdraftLimit())
                    && account.metadata().equals(command.metadata())
                    && shardCount <= account.shardCount()) {
                return LedgerResult.alreadyApplied(subject);
            }
            return LedgerResult.rejected(subject, new Rejection(RejectionCode.ACCOUNT_EXISTS, "account "
                    + command.accountId() + " already exists with other settings (currency " + account.currency()
                    + ", " + account.shardCount() + (account.shardCount() == 1 ? " shard" : " shards")
                    + (account.metadata().equals(command.metadata()) ? ")" : ", other metadata)")));
        }
        Handled<Account> opened = AxonAggregates.create(ACCOUNTS, () -> new Account(command));
        if (shardCount == 1) {
            return LedgerResult.applied(subject, List.of(accountChange(0, opened)));
        }
        Versioned<AccountState> own = new Versioned<>(opened.root().state(), 0);
        Handled<Account> sharded = handleAccount(own, new RaiseShards(command.accountId(), shardCount));
        List<LedgerEvent> events = new ArrayList<>(opened.events());
        events.addAll(sharded.events());
        List<StreamChange> changes = new ArrayList<>();
        changes.add(new StreamChange(subject, 0, events, sharded.root().state()));
        changes.addAll(newShards(opened.root().state(), 1, shardCount));
        return LedgerResult.applied(subject, changes);
    }

    /**
     * Raises an account's shard count (issue 13, an operator's command): the account's own stream records
     * the count and each new shard opens with the account's currency, a zero share of its floor (or no
     * floor) and its freeze, in one append; commands that read the old count keep to the old shards.
     * The same count again changes nothing; a lower one is refused.
     */
    public LedgerResult raiseShards(String accountId, int shardCount) {
        requireShardCount(shardCount);
        StreamId subject = StreamId.account(accountId);
        Optional<Versioned<AccountState>> own = streams.account(accountId);
        if (own.isEmpty()) {
            return accountNotFound(subject);
        }
        Handled<Account> raised = handleAccount(own.get(), new RaiseShards(accountId, shardCount));
        if (raised.decision() instanceof Decision.Rejected refused) {
            return LedgerResult.rejected(subject, refused.rejection());
        }
        if (raised.events().isEmpty()) {
            return LedgerResult.applied(subject, List.of());
        }
        List<StreamChange> changes = new ArrayList<>();
        changes.add(accountChange(own.get().version(), raised));
        changes.addAll(newShards(own.get().state(), own.get().state().shardCount(), shardCount));
        return LedgerResult.applied(subject, changes);
    }

    /** Shards {@code from} to {@code to - 1} of an account, opened as it stands. */
    private static List<StreamChange> newShards(AccountState own, int from, int to) {
        List<StreamChange> changes = new ArrayList<>();
        OverdraftLimit share = own.overdraftLimit().unlimited() ? OverdraftLimit.UNLIMITED : OverdraftLimit.of(0);
        for (int shard = from; shard < to; shard++) {
            String streamAccountId = AccountShards.streamAccountId(own.accountId(), shard);
            Handled<Account> opened = AxonAggregates.create(ACCOUNTS, () -> new Account(new OpenShard(streamAccountId,
                    own.currency(), share, own.status() == AccountStatus.FROZEN)));
            changes.add(accountChange(0, opened));
        }
        return changes;
    }

    private static void requireShardCount(int shardCount) {
        if (shardCount < 1 || shardCount > AccountShards.MAX_SHARDS) {
            throw new IllegalArgumentException("an account has 1 to " + AccountShards.MAX_SHARDS + " shards, not "
                    + shardCount);
        }
    }

    /**
     * An account as users see it: a sharded account's shards read together and added up
     * ({@link AccountState#whole}), at the sum of their versions, which moves whenever any shard does.
     */
    public Optional<Versioned<AccountState>> wholeAccount(String accountId) {
        Optional<Versioned<AccountState>> own = streams.account(accountId);
        if (own.isEmpty() || !own.get().state().sharded()) {
            return own;
        }
        shards.saw(own.get());
        List<Versioned<AccountState>> all = shards.all(own.get());
        return Optional.of(new Versioned<>(AccountState.whole(all.stream().map(Versioned::state).toList()),
                all.stream().mapToLong(Versioned::version).sum()));
    }

    /**
     * Replaces an account's metadata (issue 16), on its own stream only: a sharded account's shards
     * carry none. The same metadata again is applied with no event.
     */
    public LedgerResult setAccountMetadata(String accountId, SortedMap<String, String> metadata) {
        StreamId subject = StreamId.account(accountId);
        Optional<Versioned<AccountState>> own = streams.account(accountId);
        if (own.isEmpty()) {
            return accountNotFound(subject);
        }
        Handled<Account> handled = handleAccount(own.get(), new SetAccountMetadata(accountId, metadata));
        if (handled.decision() instanceof Decision.Rejected refused) {
            return LedgerResult.rejected(subject, refused.rejection());
        }
        return LedgerResult.applied(subject, changesOf(accountChangeOrNone(own.get().version(), handled)));
    }

    public LedgerResult freezeAccount(String accountId) {
        return onAccount(new FreezeAccount(accountId));
    }

    public LedgerResult unfreezeAccount(String accountId) {
        return onAccount(new UnfreezeAccount(accountId));
    }

    /**
     * Closes an account at zero balance with nothing pending. A sharded account is judged as a whole,
     * every shard read together, and then every shard is closed in the same append (a shard may hold a
     * part of the balance that the others offset).
     */
    public LedgerResult closeAccount(String accountId) {
        StreamId subject = StreamId.account(accountId);
        Optional<Versioned<AccountState>> own = streams.account(accountId);
        if (own.isEmpty() || !own.get().state().sharded()) {
            return onAccount(new CloseAccount(accountId));
        }
        List<Versioned<AccountState>> all = shards.all(own.get());
        AccountState whole = AccountState.whole(all.stream().map(Versioned::state).toList());
        Handled<Account> judged = handleAccount(new Versioned<>(whole, own.get().version()), new CloseAccount(accountId));
        if (judged.decision() instanceof Decision.Rejected refused) {
            return LedgerResult.rejected(subject, refused.rejection());
        }
        return onEveryShard(subject, all, new CloseShard(accountId));
    }

    /**
     * Moves money, at once or as a hold. The transfer id is the idempotency key: the same request
     * again is {@code ALREADY_APPLIED} (or the same rejection, if the first attempt was refused);
     * another request under the same id is an {@code idempotency_conflict}.
     */
    public LedgerResult transfer(String transferId, TransferRequest request) {
        StreamId subject = StreamId.transfer(transferId);
        // The three heads a transfer reads, in one request where the log can.
        streams.prefetch(List.of(subject, shards.entryStream(request.debitAccountId(), transferId),
                shards.entryStream(request.creditAccountId(), transferId)));
        Optional<Versioned<TransferState>> earlier = streams.transfer(transferId);
        if (earlier.isPresent()) {
            TransferState first = earlier.get().state();
            if (!first.request().equals(request)) {
                return LedgerResult.rejected(subject, new Rejection(RejectionCode.IDEMPOTENCY_CONFLICT,
                        "transfer id " + transferId + " was already used for a different request"));
            }
            return first.isRejected() ? LedgerResult.rejected(subject, first.rejection())
                    : LedgerResult.alreadyApplied(subject, 1);
        }
        if (request.debitAccountId().equals(request.creditAccountId())) {
            return recordRefusal(transferId, request, new Rejection(RejectionCode.SAME_ACCOUNT,
                    "a transfer needs two different accounts; both sides are " + request.debitAccountId()));
        }
        // For a sharded account, the shard this transfer picks (ShardedAccounts.entry).
        Optional<Versioned<AccountState>> debit = shards.entry(request.debitAccountId(), transferId);
        Optional<Versioned<AccountState>> credit = shards.entry(request.creditAccountId(), transferId);
        if (debit.isEmpty() || credit.isEmpty()) {
            // Not recorded: the account may be opened later, and then the same id may succeed.
            String missing = debit.isEmpty() ? request.debitAccountId() : request.creditAccountId();
            return LedgerResult.rejected(subject, new Rejection(RejectionCode.ACCOUNT_NOT_FOUND,
                    (debit.isEmpty() ? "debit" : "credit") + " account " + missing + " does not exist"));
        }
        Instant expiresAt = request.pending() ? clock.instant().plusSeconds(request.timeoutSeconds()) : null;
        ShardedAccounts.Leg debitLeg = shards.debit(debit.get(), transferId, request.amount(), "transfer",
                newLeg(transferId, request, Side.DEBIT, expiresAt));
        if (debitLeg.refused()) {
            return recordRefusal(transferId, request, debitLeg.rejection()).checking(debitLeg.checks());
        }
        ShardedAccounts.Leg creditLeg = shards.credit(credit.get(), newLeg(transferId, request, Side.CREDIT, expiresAt));
        if (creditLeg.refused()) {
            return recordRefusal(transferId, request, creditLeg.rejection());
        }
        Handled<Transfer> recorded = AxonAggregates.create(TRANSFERS, () -> new Transfer(
                new RecordTransfer(transferId, request, expiresAt, debitLeg.shard(), creditLeg.shard())));
        List<StreamChange> changes = new ArrayList<>();
        changes.add(transferChange(0, recorded));
        changes.addAll(debitLeg.changes());
        changes.addAll(creditLeg.changes());
        return LedgerResult.applied(subject, changes);
    }

    /**
     * Posts a pending transfer, in full ({@code amount} null) or in part, releasing the rest. The same
     * post again once it succeeded is {@code ALREADY_APPLIED}, answered as the hold's post left it
     * (version 2); any other post of a posted hold is refused.
     */
    public LedgerResult postPendingTransfer(String transferId, Money amount) {
        Instant now = clock.instant();
        return settle(transferId, new PostPendingTransfer(transferId, amount, now), now);
    }

    /**
     * Posts part of a pending transfer, given as an amount only the transfer's currency can read (a
     * request's decimal string): {@code amountInItsCurrency} gets that currency once the transfer is
     * loaded, and may refuse the input by throwing. An unknown transfer is refused before it is asked.
     */
    public LedgerResult postPartOfPendingTransfer(String transferId,
                                                  Function<CurrencyUnit, Money> amountInItsCurrency) {
        Optional<Versioned<TransferState>> transfer = streams.transfer(transferId);
        if (transfer.isEmpty()) {
            return transferNotFound(transferId);
        }
        Money amount = amountInItsCurrency.apply(transfer.get().state().request().amount().currency());
        return postPendingTransfer(transferId, amount);
    }

    /** Voids a pending transfer; a void again after a void is {@code ALREADY_APPLIED} (version 2). */
    public LedgerResult voidPendingTransfer(String transferId) {
        Instant now = clock.instant();
        return settle(transferId, new VoidPendingTransfer(transferId, now), now);
    }

    /** Records the expiry of an overdue hold; a hold that is not due, or no longer pending, is left alone. */
    public LedgerResult expirePendingTransfer(String transferId) {
        Instant now = clock.instant();
        return settle(transferId, new ExpirePendingTransfer(transferId, now), now);
    }

    /**
     * Moves money between many accounts at once, or holds it: every account's rules hold, or nothing
     * moves ({@link Transactions}). The transaction id is the idempotency key, as a transfer's is.
     *
     * @throws IllegalArgumentException past the limits of one atomic append, which the API refuses first
     */
    public LedgerResult transaction(String transactionId, TransactionRequest request) {
        return transactions.record(transactionId, request);
    }

    /** Posts a pending transaction in full: every account's held net movement becomes posted. */
    public LedgerResult postPendingTransaction(String transactionId) {
        return transactions.post(transactionId);
    }

    public LedgerResult voidPendingTransaction(String transactionId) {
        return transactions.voidPending(transactionId);
    }

    /** Records the expiry of an overdue pending transaction; one not due, or no longer pending, is left alone. */
    public LedgerResult expirePendingTransaction(String transactionId) {
        return transactions.expire(transactionId);
    }

    /**
     * An atomic batch: its items (new transfers and transactions, each under its own id) decided in order
     * over the state the earlier ones left, and recorded all together with the batch's record, or none
     * ({@link Batches}). The batch id is the idempotency key.
     *
     * @throws IllegalArgumentException for a batch that is not atomic or has too many items, which the API refuses first
     */
    public LedgerResult atomicBatch(String batchId, BatchRequest request) {
        return batches.atomic(batchId, request);
    }

    /** The record of a batch that is not atomic, once each item was decided as its own command. */
    public LedgerResult recordBatch(String batchId, BatchRequest request, List<ItemOutcome> outcomes) {
        return batches.record(batchId, request, outcomes);
    }

    /**
     * What an earlier request under the batch id decides for this one: the same answer again
     * ({@code ALREADY_APPLIED}, or the same refusal), or an {@code idempotency_conflict}; empty if the id is new.
     */
    public Optional<LedgerResult> earlierBatch(String batchId, BatchRequest request) {
        return batches.earlier(batchId, request);
    }

    /**
     * What a client asks of a reversal whose amount only the original's currency can read (a request's
     * decimal string): given that currency, the whole request. It may refuse the input by throwing.
     */
    @FunctionalInterface
    public interface ReversalAsked {
        ReversalRequest inCurrency(CurrencyUnit currency);
    }

    /**
     * Gives back part or all of a posted transfer (see {@link TransferReversals}): the reversal id is the
     * idempotency key, as a transfer id is; the same request again is {@code ALREADY_APPLIED} (answered
     * at version 1 of the reversal's stream).
     */
    public LedgerResult reverseTransfer(String reversalId, String transferId, ReversalAsked asked) {
        return new TransferReversals(streams, shards).reverse(reversalId, transferId, asked);
    }

    /**
     * Gives back every entry of a posted multi-leg transaction, once (see {@link TransactionReversals}):
     * {@code request} names the transaction, with no amount. The reversal id is the idempotency key; the
     * same request again is {@code ALREADY_APPLIED} (answered at version 1 of the reversal's stream).
     */
    public LedgerResult reverseTransaction(String reversalId, ReversalRequest request) {
        return new TransactionReversals(streams).reverse(reversalId, request);
    }

    /** Freeze and unfreeze: on every shard of a sharded account at once, in one append. */
    private LedgerResult onAccount(AccountCommand command) {
        StreamId subject = StreamId.account(command.accountId());
        Optional<Versioned<AccountState>> account = streams.account(command.accountId());
        if (account.isEmpty()) {
            return accountNotFound(subject);
        }
        if (account.get().state().sharded()) {
            return onEveryShard(subject, shards.all(account.get()), command);
        }
        Handled<Account> handled = handleAccount(account.get(), command);
        if (handled.decision() instanceof Decision.Rejected refused) {
            return LedgerResult.rejected(subject, refused.rejection());
        }
        return LedgerResult.applied(subject, changesOf(accountChangeOrNone(account.get().version(), handled)));
    }

    private static LedgerResult onEveryShard(StreamId subject, List<Versioned<AccountState>> all,
                                             AccountCommand command) {
        List<StreamChange> changes = new ArrayList<>();
        for (Versioned<AccountState> shard : all) {
            Handled<Account> handled = handleAccount(shard, command);
            if (handled.decision() instanceof Decision.Rejected refused) {
                return LedgerResult.rejected(subject, refused.rejection());
            }
            accountChangeOrNone(shard.version(), handled).ifPresent(changes::add);
        }
        return LedgerResult.applied(subject, changes);
    }

    /** Post, void or expire a hold: the transfer decides, then both accounts follow. */
    private LedgerResult settle(String transferId, TransferCommand command, Instant now) {
        StreamId subject = StreamId.transfer(transferId);
        Optional<Versioned<TransferState>> loaded = streams.transfer(transferId);
        if (loaded.isEmpty()) {
            return transferNotFound(transferId);
        }
        Versioned<TransferState> transfer = loaded.get();
        Handled<Transfer> decided = AxonAggregates.handle(TRANSFERS, Transfer.fromState(transfer.state()), command);
        if (decided.decision() instanceof Decision.AlreadyApplied) {
            return LedgerResult.alreadyApplied(subject, SETTLEMENT_VERSION);
        }
        if (decided.decision() instanceof Decision.Rejected refused) {
            // A post or void that finds the hold overdue records the expiry the sweeper has not written yet.
            List<StreamChange> expiry = transfer.state().isOverdue(now)
                    ? settle(transferId, new ExpirePendingTransfer(transferId, now), now).changes()
                    : List.of();
            return LedgerResult.rejected(subject, refused.rejection(), expiry);
        }
        if (decided.events().isEmpty()) {
            return LedgerResult.applied(subject, List.of());
        }
        TransferEvent outcome = (TransferEvent) decided.events().get(0);
        TransferRequest request = transfer.state().request();
        // A hold's legs are settled on the shards that hold them.
        Versioned<AccountState> debit = existingAccount(
                AccountShards.streamAccountId(request.debitAccountId(), transfer.state().debitShard()));
        Versioned<AccountState> credit = existingAccount(
                AccountShards.streamAccountId(request.creditAccountId(), transfer.state().creditShard()));
        requireHold(transfer, debit, Side.DEBIT);
        requireHold(transfer, credit, Side.CREDIT);
        Handled<Account> debitLeg = handleAccount(debit, settlingLeg(outcome, request, Side.DEBIT));
        Handled<Account> creditLeg = handleAccount(credit, settlingLeg(outcome, request, Side.CREDIT));
        for (Handled<Account> leg : List.of(debitLeg, creditLeg)) {
            if (leg.decision() instanceof Decision.Rejected refused) {
                return LedgerResult.rejected(subject, refused.rejection());
            }
        }
        return LedgerResult.applied(subject, List.of(
                transferChange(transfer.version(), decided),
                accountChange(debit.version(), debitLeg),
                accountChange(credit.version(), creditLeg)));
    }

    private LedgerResult recordRefusal(String transferId, TransferRequest request, Rejection rejection) {
        Handled<Transfer> refused = AxonAggregates.create(TRANSFERS,
                () -> new Transfer(new RejectTransfer(transferId, request, rejection)));
        return LedgerResult.rejected(StreamId.transfer(transferId), rejection, List.of(transferChange(0, refused)));
    }

    private static AccountCommand newLeg(String transferId, TransferRequest request, Side side, Instant expiresAt) {
        String account = side == Side.DEBIT ? request.debitAccountId() : request.creditAccountId();
        String counterparty = side == Side.DEBIT ? request.creditAccountId() : request.debitAccountId();
        return request.pending()
                ? new PlaceHold(account, transferId, side, counterparty, request.amount(), expiresAt)
                : new PostEntry(account, transferId, side, counterparty, request.amount());
    }

    private static AccountCommand settlingLeg(TransferEvent outcome, TransferRequest request, Side side) {
        String account = side == Side.DEBIT ? request.debitAccountId() : request.creditAccountId();
        String counterparty = side == Side.DEBIT ? request.creditAccountId() : request.debitAccountId();
        String transferId = outcome.transferId();
        if (outcome instanceof PendingTransferPosted posted) {
            return new PostHold(account, transferId, side, counterparty, request.amount(), posted.postedAmount());
        } else if (outcome instanceof PendingTransferVoided voided) {
            return new VoidHold(account, transferId, side, counterparty, voided.amount());
        } else if (outcome instanceof PendingTransferExpired expired) {
            return new ExpireHold(account, transferId, side, counterparty, expired.amount());
        }
        throw new IllegalStateException("no account leg for " + outcome.getClass().getSimpleName());
    }

    private Versioned<AccountState> existingAccount(String accountId) {
        return existingAccount(streams, accountId);
    }

    static Versioned<AccountState> existingAccount(LedgerStreams streams, String accountId) {
        // A recorded transfer's or transaction's accounts existed when it was recorded, and accounts are never deleted.
        return streams.account(accountId).orElseThrow(() -> new IllegalStateException(
                "account " + accountId + " of a recorded transfer or transaction is missing from the log"));
    }

    /**
     * A pending transfer's amount is held on both of its accounts, and only a unit of work that also
     * changes the transfer releases it. An account holding less than that was read after another
     * command settled this hold, and the transfer before: the heads disagree, and nothing may be
     * decided on them (releasing the hold a second time would fold to a negative total).
     */
    private static void requireHold(Versioned<TransferState> transfer, Versioned<AccountState> account, Side side) {
        Money held = transfer.state().request().amount();
        long pending = account.state().pending(side);
        if (pending < held.minorUnits()) {
            String transferId = transfer.state().transferId();
            String accountId = account.state().accountId();
            throw new InconsistentStreamsException(new InconsistentStreamsException.View(
                    StreamId.transfer(transferId), transfer.version(), StreamId.account(accountId), account.version()),
                    "transfer " + transferId + " at version " + transfer.version() + " is " + transfer.state().status()
                    + " and holds " + held + ", but account " + accountId + " at version " + account.version()
                    + " has only " + Money.of(pending, held.currency()) + " of " + side.name().toLowerCase()
                    + "s pending: the heads were read while another command settled this hold; read them again");
        }
    }

    static Handled<Account> handleAccount(Versioned<AccountState> account, AccountCommand command) {
        return AxonAggregates.handle(ACCOUNTS, Account.fromState(account.state()), command);
    }

    private static LedgerResult transferNotFound(String transferId) {
        return transferNotFound(transferId, StreamId.transfer(transferId));
    }

    static LedgerResult transferNotFound(String transferId, StreamId subject) {
        return LedgerResult.rejected(subject, new Rejection(RejectionCode.TRANSFER_NOT_FOUND,
                "transfer " + transferId + " does not exist"));
    }

    private static LedgerResult accountNotFound(StreamId subject) {
        return LedgerResult.rejected(subject, new Rejection(RejectionCode.ACCOUNT_NOT_FOUND,
                "account " + subject.id() + " does not exist"));
    }

    static StreamChange accountChange(long expectedVersion, Handled<Account> handled) {
        return new StreamChange(handled.root().state().streamId(), expectedVersion, handled.events(),
                handled.root().state());
    }

    private static Optional<StreamChange> accountChangeOrNone(long expectedVersion, Handled<Account> handled) {
        return handled.events().isEmpty() ? Optional.empty() : Optional.of(accountChange(expectedVersion, handled));
    }

    static StreamChange transferChange(long expectedVersion, Handled<Transfer> handled) {
        return new StreamChange(handled.root().state().streamId(), expectedVersion, handled.events(),
                handled.root().state());
    }

    private static List<StreamChange> changesOf(Optional<StreamChange> change) {
        List<StreamChange> changes = new ArrayList<>();
        change.ifPresent(changes::add);
        return changes;
    }
}

package dev.ledger.domain.account;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import dev.ledger.domain.Decision;
import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.api.AccountCommand.CloseAccount;
import dev.ledger.domain.api.AccountCommand.CloseShard;
import dev.ledger.domain.api.AccountCommand.MoveShardFunds;
import dev.ledger.domain.api.AccountCommand.OpenShard;
import dev.ledger.domain.api.AccountCommand.RaiseShards;
import dev.ledger.domain.api.AccountCommand.ExpireHold;
import dev.ledger.domain.api.AccountCommand.ExpireTransactionHold;
import dev.ledger.domain.api.AccountCommand.FreezeAccount;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountCommand.PlaceHold;
import dev.ledger.domain.api.AccountCommand.PlaceTransactionHold;
import dev.ledger.domain.api.AccountCommand.PostEntry;
import dev.ledger.domain.api.AccountCommand.PostHold;
import dev.ledger.domain.api.AccountCommand.PostTransactionEntries;
import dev.ledger.domain.api.AccountCommand.PostTransactionHold;
import dev.ledger.domain.api.AccountCommand.ReverseEntry;
import dev.ledger.domain.api.AccountCommand.ReverseTransactionEntries;
import dev.ledger.domain.api.AccountCommand.SetAccountMetadata;
import dev.ledger.domain.api.AccountCommand.UnfreezeAccount;
import dev.ledger.domain.api.AccountCommand.VoidHold;
import dev.ledger.domain.api.AccountCommand.VoidTransactionHold;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.AccountEvent.AccountClosed;
import dev.ledger.domain.api.AccountEvent.AccountFrozen;
import dev.ledger.domain.api.AccountEvent.AccountMetadataSet;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.AccountSharded;
import dev.ledger.domain.api.AccountEvent.ShardFundsMoved;
import dev.ledger.domain.api.AccountEvent.ShardOpened;
import dev.ledger.domain.api.AccountEvent.AccountUnfrozen;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.AccountEvent.EntryReversed;
import dev.ledger.domain.api.AccountEvent.HoldExpired;
import dev.ledger.domain.api.AccountEvent.HoldPlaced;
import dev.ledger.domain.api.AccountEvent.HoldPosted;
import dev.ledger.domain.api.AccountEvent.HoldVoided;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesPosted;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesReversed;
import dev.ledger.domain.api.AccountEvent.TransactionHoldExpired;
import dev.ledger.domain.api.AccountEvent.TransactionHoldPlaced;
import dev.ledger.domain.api.AccountEvent.TransactionHoldPosted;
import dev.ledger.domain.api.AccountEvent.TransactionHoldVoided;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.money.Money;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;

/**
 * One account of the ledger, as an Axon aggregate. Command handlers decide (and answer a
 * {@link Decision}); state changes only in the event sourcing handler, through
 * {@link AccountState#evolve}.
 */
public class Account {

    @AggregateIdentifier
    private String accountId;
    private AccountState state;

    /** Axon rebuilds an account from its events through this. */
    protected Account() {
    }

    @CommandHandler
    public Account(OpenAccount command) {
        apply(new AccountOpened(command.accountId(), command.currency(), command.overdraftLimit()));
        // AccountOpened keeps the form it always had; metadata is its own event, in the same append.
        if (!command.metadata().isEmpty()) {
            apply(new AccountMetadataSet(command.accountId(), command.metadata()));
        }
    }

    @CommandHandler
    public Account(OpenShard command) {
        apply(new ShardOpened(command.accountId(), command.currency(), command.overdraftLimit(), command.frozen()));
    }

    /** Resumes an account from a snapshot of its state, so loading does not replay its whole history. */
    public static Account fromState(AccountState state) {
        Account account = new Account();
        account.accountId = state.accountId();
        account.state = state;
        return account;
    }

    public AccountState state() {
        return state;
    }

    @CommandHandler
    public Decision handle(FreezeAccount command) {
        if (state.status() == AccountStatus.CLOSED) {
            return closed();
        }
        if (state.status() == AccountStatus.OPEN) {
            apply(new AccountFrozen(accountId));
        }
        return Decision.accepted();
    }

    /**
     * Replaces the account's metadata: a closed account's is final like the rest of it; the same metadata
     * again records nothing.
     */
    @CommandHandler
    public Decision handle(SetAccountMetadata command) {
        if (state.status() == AccountStatus.CLOSED) {
            return closed();
        }
        if (!state.metadata().equals(command.metadata())) {
            apply(new AccountMetadataSet(accountId, command.metadata()));
        }
        return Decision.accepted();
    }

    @CommandHandler
    public Decision handle(UnfreezeAccount command) {
        if (state.status() == AccountStatus.CLOSED) {
            return closed();
        }
        if (state.status() == AccountStatus.FROZEN) {
            apply(new AccountUnfrozen(accountId));
        }
        return Decision.accepted();
    }

    @CommandHandler
    public Decision handle(CloseAccount command) {
        if (state.status() == AccountStatus.CLOSED) {
            return Decision.accepted();
        }
        if (state.balance() != 0 || state.hasPendingHolds()) {
            return Decision.rejected(RejectionCode.ACCOUNT_NOT_EMPTY, "account " + name()
                    + " can be closed only at zero balance with no pending holds; its balance is "
                    + format(state.balance()) + ", debits pending " + format(state.debitsPending())
                    + " and credits pending " + format(state.creditsPending()));
        }
        apply(new AccountClosed(accountId));
        return Decision.accepted();
    }

    @CommandHandler
    public Decision handle(RaiseShards command) {
        if (state.status() == AccountStatus.CLOSED) {
            return closed();
        }
        long shardCeiling = Long.MAX_VALUE / AccountShards.MAX_SHARDS;
        if (command.shards() > 1 && (Math.max(state.debitsPosted() + state.debitsPending(),
                state.creditsPosted() + state.creditsPending()) > shardCeiling)) {
            return Decision.rejected(RejectionCode.BALANCE_OVERFLOW, "account " + name() + " has moved more than a"
                    + " shard may hold (" + format(shardCeiling) + " on either side), so its shards could add up past"
                    + " the largest amount the ledger can hold; it cannot be sharded");
        }
        if (command.shards() < state.shardCount()) {
            return Decision.rejected(RejectionCode.SHARDS_CANNOT_DECREASE, "account " + name() + " has "
                    + state.shardCount() + " shards; the count can only be raised, not lowered to " + command.shards());
        }
        if (command.shards() > state.shardCount()) {
            apply(new AccountSharded(accountId, command.shards()));
        }
        return Decision.accepted();
    }

    /** A shard gives or takes funds for another shard of its account: the giver keeps to its floor. */
    @CommandHandler
    public Decision handle(MoveShardFunds command) {
        return refuseMovement(command.side(), command.amount(), "move between shards").orElseGet(() -> {
            apply(new ShardFundsMoved(accountId, command.moveId(), command.side(), command.counterpartyAccountId(),
                    command.amount()));
            return Decision.accepted();
        });
    }

    @CommandHandler
    public Decision handle(CloseShard command) {
        if (state.status() != AccountStatus.CLOSED) {
            apply(new AccountClosed(accountId));
        }
        return Decision.accepted();
    }

    @CommandHandler
    public Decision handle(PostEntry command) {
        return refuseMovement(command.side(), command.amount(), "transfer").orElseGet(() -> {
            apply(new EntryPosted(accountId, command.transferId(), command.side(), command.counterpartyAccountId(),
                    command.amount()));
            return Decision.accepted();
        });
    }

    @CommandHandler
    public Decision handle(PlaceHold command) {
        return refuseMovement(command.side(), command.amount(), "transfer").orElseGet(() -> {
            apply(new HoldPlaced(accountId, command.transferId(), command.side(), command.counterpartyAccountId(),
                    command.amount(), command.expiresAt()));
            return Decision.accepted();
        });
    }

    /**
     * Posting a hold moves money that was reserved when the hold was placed, so funds were checked
     * then; a freeze still stops it, as it stops every movement.
     */
    @CommandHandler
    public Decision handle(PostHold command) {
        if (state.status() == AccountStatus.FROZEN) {
            return frozen();
        }
        apply(new HoldPosted(accountId, command.transferId(), command.side(), command.counterpartyAccountId(),
                command.heldAmount(), command.postedAmount()));
        return Decision.accepted();
    }

    /** Releasing a hold is always allowed, frozen or not: it gives money back, it moves none. */
    @CommandHandler
    public Decision handle(VoidHold command) {
        apply(new HoldVoided(accountId, command.transferId(), command.side(), command.counterpartyAccountId(),
                command.amount()));
        return Decision.accepted();
    }

    /**
     * One side of a reversal: money moves back as a new entry. A closed account takes no reversal (it
     * was closed at zero for good). A frozen account, and the floor of the paying side, stop it unless
     * an operator forced it; the largest amount is never passed, forced or not.
     */
    @CommandHandler
    public Decision handle(ReverseEntry command) {
        return refuseMovement(command.side(), command.amount(), "reversal", command.forced()).orElseGet(() -> {
            apply(new EntryReversed(accountId, command.transferId(), command.reversalId(), command.side(),
                    command.counterpartyAccountId(), command.amount(), command.forced()));
            return Decision.accepted();
        });
    }

    @CommandHandler
    public Decision handle(ExpireHold command) {
        apply(new HoldExpired(accountId, command.transferId(), command.side(), command.counterpartyAccountId(),
                command.amount()));
        return Decision.accepted();
    }

    @CommandHandler
    public Decision handle(PostTransactionEntries command) {
        return refuseTransactionMovement(command.entries()).orElseGet(() -> {
            apply(new TransactionEntriesPosted(accountId, command.transactionId(), command.entries()));
            return Decision.accepted();
        });
    }

    @CommandHandler
    public Decision handle(PlaceTransactionHold command) {
        return refuseTransactionMovement(command.entries()).orElseGet(() -> {
            apply(new TransactionHoldPlaced(accountId, command.transactionId(), command.entries(),
                    command.expiresAt()));
            return Decision.accepted();
        });
    }

    /** As {@link #handle(PostHold)}: funds were checked when the hold was placed; a freeze still stops it. */
    @CommandHandler
    public Decision handle(PostTransactionHold command) {
        if (state.status() == AccountStatus.FROZEN) {
            return Decision.rejected(((Decision.Rejected) frozen()).rejection()
                    .atEntry(ownEntries(command.entries()).get(0).index()));
        }
        apply(new TransactionHoldPosted(accountId, command.transactionId(), command.entries()));
        return Decision.accepted();
    }

    @CommandHandler
    public Decision handle(VoidTransactionHold command) {
        apply(new TransactionHoldVoided(accountId, command.transactionId(), command.entries()));
        return Decision.accepted();
    }

    @CommandHandler
    public Decision handle(ExpireTransactionHold command) {
        apply(new TransactionHoldExpired(accountId, command.transactionId(), command.entries()));
        return Decision.accepted();
    }

    /**
     * This account's part of a reversal of a transaction: the opposite of its net, as a new movement,
     * under the rules of a transfer's reversal ({@link #handle(ReverseEntry)}): a closed account always
     * refuses, a freeze and the floor unless an operator forced it; the refusal names the entry.
     */
    @CommandHandler
    public Decision handle(ReverseTransactionEntries command) {
        return refuseTransactionMovement(command.entries(), "reversal", command.forced()).orElseGet(() -> {
            apply(new TransactionEntriesReversed(accountId, command.transactionId(), command.reversalId(),
                    command.entries(), command.forced()));
            return Decision.accepted();
        });
    }

    @EventSourcingHandler
    void on(AccountEvent event) {
        state = AccountState.evolve(Optional.ofNullable(state), event);
        accountId = state.accountId();
    }

    /** The rules every new debit or credit must pass, in the order a person would check them. */
    private Optional<Decision> refuseMovement(Side side, Money amount, String what) {
        return refuseMovement(side, amount, what, false);
    }

    /**
     * @param what what moves the money, as the refusal names it ("transfer", "reversal"...)
     * @param forced an operator's reversal: a freeze and the overdraft floor do not stop it; a closed
     *     account, another currency and the largest amount still do
     */
    private Optional<Decision> refuseMovement(Side side, Money amount, String what, boolean forced) {
        if (state.status() == AccountStatus.CLOSED) {
            return Optional.of(closed());
        }
        if (state.status() == AccountStatus.FROZEN && !forced) {
            return Optional.of(frozen());
        }
        if (!amount.currency().equals(state.currency())) {
            return Optional.of(Decision.rejected(RejectionCode.CURRENCY_MISMATCH, "account " + name() + " holds "
                    + state.currency() + " but the " + what + " is in " + amount.currency()));
        }
        long units = amount.minorUnits();
        try {
            // Both totals of the side must still fit once the amount is posted; a shard of a sharded
            // account keeps within its share, so that the shards still add up within a long.
            long total = side == Side.DEBIT
                    ? Math.addExact(state.debitsPosted(), Math.addExact(state.debitsPending(), units))
                    : Math.addExact(state.creditsPosted(), Math.addExact(state.creditsPending(), units));
            if (total > totalCeiling(state)) {
                throw new ArithmeticException("past a shard's share of the largest amount");
            }
        } catch (ArithmeticException overflow) {
            return Optional.of(Decision.rejected(RejectionCode.BALANCE_OVERFLOW, "account " + name()
                    + " cannot take " + amount + ": its totals would exceed the largest amount the ledger can hold"));
        }
        // Decided by comparison, never by an available balance that could overflow (issue 10).
        if (side == Side.DEBIT && !forced && !state.covers(units)) {
            return Optional.of(Decision.rejected(RejectionCode.INSUFFICIENT_FUNDS, "account " + name()
                    + " has " + format(state.available().orElseThrow()) + " available but the " + what + " needs "
                    + amount));
        }
        if (side == Side.CREDIT && !state.acceptsCredit(units)) {
            return Optional.of(Decision.rejected(RejectionCode.BALANCE_OVERFLOW, "account " + name()
                    + " cannot take " + amount + ": its available balance (balance, credits pending and overdraft"
                    + " limit of " + format(state.overdraftLimit().minorUnits())
                    + ") would exceed the largest amount the ledger can hold"));
        }
        return Optional.empty();
    }

    /**
     * The rules of a new movement for this account's part of a multi-leg transaction, naming the entry
     * that fails: a closed or frozen account fails at its first entry, a currency other than the
     * account's at that entry, and the net movement (what the floor sees) at the account's first entry
     * on the net's side. The net goes through the same rules as a transfer's amount.
     */
    private Optional<Decision> refuseTransactionMovement(List<TransactionEntry> entries) {
        return refuseTransactionMovement(entries, "transaction", false);
    }

    /**
     * @param what what moves the money, as the refusal names it
     * @param forced an operator's reversal: a freeze and the floor do not stop it (see {@link #refuseMovement})
     */
    private Optional<Decision> refuseTransactionMovement(List<TransactionEntry> entries, String what,
                                                         boolean forced) {
        List<TransactionEntry> own = ownEntries(entries);
        int first = own.get(0).index();
        if (state.status() == AccountStatus.CLOSED) {
            return Optional.of(Decision.rejected(((Decision.Rejected) closed()).rejection().atEntry(first)));
        }
        if (state.status() == AccountStatus.FROZEN && !forced) {
            return Optional.of(Decision.rejected(((Decision.Rejected) frozen()).rejection().atEntry(first)));
        }
        for (TransactionEntry entry : own) {
            if (!entry.amount().currency().equals(state.currency())) {
                return Optional.of(Decision.rejected(new Rejection(RejectionCode.CURRENCY_MISMATCH, "account "
                        + accountId + " holds " + state.currency() + " but entry " + entry.index() + " is in "
                        + entry.amount().currency(), entry.index())));
            }
        }
        BigInteger net = TransactionEntry.netCredit(entries, name());
        Side side = net.signum() < 0 ? Side.DEBIT : Side.CREDIT;
        int at = own.stream().filter(entry -> entry.direction() == side).findFirst().orElse(own.get(0)).index();
        if (net.abs().compareTo(BigInteger.valueOf(Long.MAX_VALUE)) > 0) {
            return Optional.of(Decision.rejected(new Rejection(RejectionCode.BALANCE_OVERFLOW, "account " + name()
                    + " would move by " + format(net) + " in this " + what + ", more than the largest amount the"
                    + " ledger can hold", at)));
        }
        return refuseMovement(side, Money.of(net.abs().longValueExact(), state.currency()), what, forced)
                .map(refused -> Decision.rejected(((Decision.Rejected) refused).rejection().atEntry(at)));
    }

    private List<TransactionEntry> ownEntries(List<TransactionEntry> entries) {
        return entries.stream().filter(entry -> entry.accountId().equals(name())).toList();
    }

    /**
     * The most either side's totals may reach: the largest amount for an account that is not sharded, and
     * for each shard of a sharded account its share of it, 1/{@link AccountShards#MAX_SHARDS}, so the shards
     * of an account always add up within a long (2.9 * 10^17 minor units a shard).
     */
    private static long totalCeiling(AccountState state) {
        return state.shardCount() == 1 ? Long.MAX_VALUE : Long.MAX_VALUE / AccountShards.MAX_SHARDS;
    }

    /** The account as users name it: a shard's refusal names its account, never the shard. */
    private String name() {
        return AccountShards.accountOf(accountId);
    }

    private Decision closed() {
        return Decision.rejected(RejectionCode.ACCOUNT_CLOSED, "account " + name() + " is closed");
    }

    private Decision frozen() {
        return Decision.rejected(RejectionCode.ACCOUNT_FROZEN, "account " + name()
                + " is frozen; no money can move in or out until it is unfrozen");
    }

    private String format(long minorUnits) {
        return Money.of(minorUnits, state.currency()).toString();
    }

    private String format(BigInteger minorUnits) {
        return new BigDecimal(minorUnits, state.currency().minorDigits()).toPlainString() + " "
                + state.currency().code();
    }
}

package dev.ledger.domain.ledger;

import dev.ledger.domain.Decision;
import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.Account;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand;
import dev.ledger.domain.api.AccountCommand.MoveShardFunds;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.ledger.AxonAggregates.Handled;
import dev.ledger.domain.money.Money;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Where one account's side of a command lands when the account is sharded (issue 13), and the one
 * owner of the rule that keeps a sharded account to its floor.
 *
 * <p>A command picks a shard from a hash of its id ({@link AccountShards#pick}), the next one on each
 * lost race. A credit, and a debit of an account with no floor, goes there and reads nothing else.
 * A debit of an account with a floor must keep the account as a whole at or above it; each shard keeps
 * to its own part of the floor (shard 0 the whole overdraft limit, the others zero), so the account does
 * too. When the picked shard is short, every shard is read: if the account as a whole lacks the funds,
 * the debit is refused, and the refusal is recorded only if no shard moved since it was read
 * ({@link VersionCheck}); if another shard has the funds alone, the debit goes there; otherwise the
 * other shards move what the picked one lacks into it, richest first, in the same append as the debit
 * ({@code ShardFundsMoved}, two items per giving shard).
 */
final class ShardedAccounts {

    private final LedgerStreams streams;
    private final int attempt;
    private final ShardCounts counts;

    ShardedAccounts(LedgerStreams streams, int attempt, ShardCounts counts) {
        this.streams = streams;
        this.attempt = attempt;
        this.counts = counts;
    }

    /** The stream {@link #entry} reads first: the remembered pick of a sharded account, else its own. */
    StreamId entryStream(String accountId, String commandId) {
        OptionalInt known = counts.known(accountId);
        return StreamId.account(known.isPresent()
                ? AccountShards.streamAccountId(accountId, AccountShards.pick(commandId, attempt, known.getAsInt()))
                : accountId);
    }

    /**
     * The stream a command on {@code accountId} starts from: the account's own stream, or for a sharded
     * account the shard the command picks. With the count remembered from an earlier command
     * ({@link ShardCounts}) the picked shard is the only stream read; otherwise the account's own stream
     * is read first for it. Empty if the log has no such account.
     */
    Optional<Versioned<AccountState>> entry(String accountId, String commandId) {
        OptionalInt known = counts.known(accountId);
        if (known.isPresent()) {
            int shard = AccountShards.pick(commandId, attempt, known.getAsInt());
            Optional<Versioned<AccountState>> picked = streams.account(AccountShards.streamAccountId(accountId, shard));
            if (picked.isPresent()) {
                // A command that picked shard 0 read the count anyway: a raise reaches the memory that way.
                picked.filter(read -> read.state().sharded()).ifPresent(this::saw);
                return picked;
            }
        }
        Optional<Versioned<AccountState>> own = streams.account(accountId);
        own.filter(read -> read.state().sharded()).ifPresent(this::saw);
        return own.map(read -> picked(read, commandId));
    }

    /** Tells the memory of shard counts what an account's own stream says. */
    void saw(Versioned<AccountState> own) {
        counts.saw(own.state().accountId(), own.state().shardCount());
    }

    /**
     * One account's side of a command: the changes to its shard streams (the leg, and any moves between
     * shards before it), or a refusal; {@code checks} are the shards a refusal rests on.
     */
    record Leg(Decision decision, int shard, List<StreamChange> changes, List<VersionCheck> checks) {

        boolean refused() {
            return decision instanceof Decision.Rejected;
        }

        Rejection rejection() {
            return ((Decision.Rejected) decision).rejection();
        }
    }

    /** Every shard of an account, its own stream first, the others read together now. */
    List<Versioned<AccountState>> all(Versioned<AccountState> own) {
        String accountId = own.state().accountId();
        List<String> others = AccountShards.otherShards(accountId, own.state().shardCount());
        List<Versioned<AccountState>> shards = new ArrayList<>();
        shards.add(own);
        List<Optional<Versioned<AccountState>>> read = streams.accounts(others);
        for (int i = 0; i < others.size(); i++) {
            String shard = others.get(i);
            shards.add(read.get(i).orElseThrow(() -> new IllegalStateException(shard
                    + " is missing from the log though its account " + accountId + " has that shard")));
        }
        return shards;
    }

    /** The shard of {@code accountId} numbered {@code shard}, which its account's shard count says exists. */
    Versioned<AccountState> shard(String accountId, int shard) {
        String streamAccountId = AccountShards.streamAccountId(accountId, shard);
        return streams.account(streamAccountId).orElseThrow(() -> new IllegalStateException("shard " + shard
                + " of account " + accountId + " is missing from the log though the account has it"));
    }

    /** A credit, or anything that needs no funds: on the stream the command started from ({@link #entry}). */
    Leg credit(Versioned<AccountState> entry, AccountCommand command) {
        return single(entry, Ledger.handleAccount(entry, command));
    }

    /**
     * A debit of {@code amount} by {@code command} (which the account's rules may refuse for other
     * reasons first: closed, frozen, currency) on the stream the command started from ({@link #entry}),
     * as the class comment describes.
     *
     * @param what what moves the money, as a refusal names it ("transfer", "reversal")
     */
    Leg debit(Versioned<AccountState> entry, String commandId, Money amount, String what, AccountCommand command) {
        return debit(entry, true, commandId, amount, what, command);
    }

    /**
     * A debit on the account's own stream (shard 0), gathering funds into it when it is short: for a
     * multi-leg transaction, which keeps every leg, and so its holds, on shard 0.
     */
    Leg debitOnOwnShard(Versioned<AccountState> own, String commandId, Money amount, String what,
                        AccountCommand command) {
        return debit(own, false, commandId, amount, what, command);
    }

    /** @param elsewhere whether the debit may go to another shard that has the funds alone */
    private Leg debit(Versioned<AccountState> picked, boolean elsewhere, String commandId, Money amount, String what,
                      AccountCommand command) {
        Handled<Account> handled = Ledger.handleAccount(picked, command);
        boolean sharded = picked.state().shard() > 0 || picked.state().sharded();
        if (!sharded || !shortOfFunds(handled)) {
            return single(picked, handled);
        }
        String accountId = picked.state().account();
        Versioned<AccountState> own = picked.state().shard() == 0 ? picked : streams.account(accountId)
                .orElseThrow(() -> new IllegalStateException("account " + accountId + " has shards but no own stream"));
        saw(own);
        List<Versioned<AccountState>> shards = all(own);
        BigInteger available = shards.stream().map(shard -> shard.state().available().orElseThrow())
                .reduce(BigInteger.ZERO, BigInteger::add);
        long units = amount.minorUnits();
        if (available.compareTo(BigInteger.valueOf(units)) < 0) {
            List<VersionCheck> checks = shards.stream()
                    .map(shard -> new VersionCheck(shard.state().streamId(), shard.version())).toList();
            Rejection refused = new Rejection(RejectionCode.INSUFFICIENT_FUNDS, "account " + own.state().accountId()
                    + " has " + format(available, amount) + " available across its " + shards.size()
                    + " shards but the " + what + " needs " + amount,
                    ((Decision.Rejected) handled.decision()).rejection().failedEntry());
            return new Leg(Decision.rejected(refused), picked.state().shard(), List.of(), checks);
        }
        for (Versioned<AccountState> shard : shards) {
            if (elsewhere && shard.state().covers(units)) {
                Handled<Account> there = Ledger.handleAccount(shard, command);
                if (!(there.decision() instanceof Decision.Rejected)) {
                    return single(shard, there);
                }
            }
        }
        return gathered(picked, shards, commandId, units, amount, command);
    }

    /**
     * The debit on the picked shard after the others moved what it lacks into it, richest first; each
     * giving shard gives no more than it has available, so each stays at or above its floor.
     */
    private Leg gathered(Versioned<AccountState> picked, List<Versioned<AccountState>> shards, String commandId,
                         long units, Money amount, AccountCommand command) {
        BigInteger missing = BigInteger.valueOf(units).subtract(picked.state().available().orElseThrow());
        List<Versioned<AccountState>> givers = shards.stream()
                .filter(shard -> shard.state().shard() != picked.state().shard())
                .filter(shard -> shard.state().available().orElseThrow().signum() > 0)
                .sorted(Comparator.comparing((Versioned<AccountState> shard) -> shard.state().available().orElseThrow())
                        .reversed().thenComparing(shard -> shard.state().shard()))
                .toList();
        String receiver = picked.state().accountId();
        List<StreamChange> changes = new ArrayList<>();
        List<LedgerEvent> received = new ArrayList<>();
        Versioned<AccountState> receiving = picked;
        for (Versioned<AccountState> giver : givers) {
            if (missing.signum() <= 0) {
                break;
            }
            long take = giver.state().available().orElseThrow().min(missing).longValueExact();
            Money moved = Money.of(take, amount.currency());
            Handled<Account> given = Ledger.handleAccount(giver, new MoveShardFunds(giver.state().account(),
                    commandId, Side.DEBIT, receiver, moved));
            Handled<Account> taken = Ledger.handleAccount(receiving, new MoveShardFunds(receiver, commandId,
                    Side.CREDIT, giver.state().accountId(), moved));
            // A move keeps both shards to their rules; one refused (a receiving shard at its share of the
            // largest amount) refuses the debit, as that shard would.
            for (Handled<Account> side : List.of(given, taken)) {
                if (side.decision() instanceof Decision.Rejected) {
                    return new Leg(side.decision(), picked.state().shard(), List.of(), List.of());
                }
            }
            changes.add(Ledger.accountChange(giver.version(), given));
            received.addAll(taken.events());
            receiving = new Versioned<>(taken.root().state(), receiving.version());
            missing = missing.subtract(BigInteger.valueOf(take));
        }
        Handled<Account> debited = Ledger.handleAccount(receiving, command);
        if (debited.decision() instanceof Decision.Rejected) {
            throw new IllegalStateException("shard " + receiver + " refused a debit of " + amount
                    + " after its account's other shards gave it what it lacked: " + debited.decision());
        }
        received.addAll(debited.events());
        changes.add(new StreamChange(picked.state().streamId(), picked.version(), received, debited.root().state()));
        return new Leg(debited.decision(), picked.state().shard(), changes, List.of());
    }

    private Versioned<AccountState> picked(Versioned<AccountState> own, String commandId) {
        int shard = AccountShards.pick(commandId, attempt, own.state().shardCount());
        return shard == 0 ? own : shard(own.state().accountId(), shard);
    }

    static Leg single(Versioned<AccountState> shard, Handled<Account> handled) {
        List<StreamChange> changes = handled.events().isEmpty() || handled.decision() instanceof Decision.Rejected
                ? List.of() : List.of(Ledger.accountChange(shard.version(), handled));
        return new Leg(handled.decision(), shard.state().shard(), changes, List.of());
    }

    /**
     * Whether the picked shard refused for what the account as a whole may still allow: the funds, or
     * the shard's own share of the largest amount its totals may reach.
     */
    private static boolean shortOfFunds(Handled<Account> handled) {
        return handled.decision() instanceof Decision.Rejected refused
                && (refused.rejection().code() == RejectionCode.INSUFFICIENT_FUNDS
                || refused.rejection().code() == RejectionCode.BALANCE_OVERFLOW);
    }


    private static String format(BigInteger minorUnits, Money like) {
        return new BigDecimal(minorUnits, like.currency().minorDigits()).toPlainString() + " " + like.currency().code();
    }
}

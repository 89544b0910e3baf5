package dev.ledger.domain.account;

import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.AccountEvent.AccountClosed;
import dev.ledger.domain.api.AccountEvent.AccountFrozen;
import dev.ledger.domain.api.AccountEvent.AccountMetadataSet;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.AccountSharded;
import dev.ledger.domain.api.AccountEvent.AccountUnfrozen;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.AccountEvent.EntryReversed;
import dev.ledger.domain.api.AccountEvent.HoldExpired;
import dev.ledger.domain.api.AccountEvent.HoldPlaced;
import dev.ledger.domain.api.AccountEvent.HoldPosted;
import dev.ledger.domain.api.AccountEvent.HoldVoided;
import dev.ledger.domain.api.AccountEvent.ShardFundsMoved;
import dev.ledger.domain.api.AccountEvent.ShardOpened;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesPosted;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesReversed;
import dev.ledger.domain.api.AccountEvent.TransactionHoldExpired;
import dev.ledger.domain.api.AccountEvent.TransactionHoldPlaced;
import dev.ledger.domain.api.AccountEvent.TransactionHoldPosted;
import dev.ledger.domain.api.AccountEvent.TransactionHoldVoided;
import dev.ledger.domain.api.AccountEvent.TransactionLeg;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.OverdraftLimit;
import java.math.BigInteger;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.Optional;

/**
 * An account's balances, kept as TigerBeetle keeps them: four running totals in minor units.
 * {@link #evolve} is the one fold of account events; the aggregate, the projections and the replay
 * tool all use it, so the same log always gives the same, byte-identical state.
 *
 * <p>A sharded account (issue 13) is several of these, one per shard stream ({@link AccountShards}); each
 * shard is an account of its own to every rule (its floor, its holds), and {@link #whole} adds them up
 * into the one account users see. Money moved between shards counts in the shards' posted totals, like
 * any debit or credit, and also in {@code shardMovesOut} and {@code shardMovesIn}, so {@link #whole} can
 * take it out again.
 *
 * @param accountId the stream's account id: the account's own, or a shard's ({@code ID#k})
 * @param shardCount on an account's own stream, how many shards the account has (1 for an account that
 *     is not sharded); 0 on the stream of a shard k >= 1
 * @param shardMovesIn money this shard received from the account's other shards
 * @param shardMovesOut money this shard gave to the account's other shards
 * @param metadata the account's client labels (issue 16), on its own stream; empty on a shard k >= 1
 */
public record AccountState(String accountId, CurrencyUnit currency, OverdraftLimit overdraftLimit,
                           AccountStatus status, long debitsPosted, long creditsPosted,
                           long debitsPending, long creditsPending, int shardCount, long shardMovesIn,
                           long shardMovesOut, SortedMap<String, String> metadata) implements StreamState {

    public AccountState {
        metadata = Collections.unmodifiableSortedMap(new TreeMap<>(metadata));
    }

    /** An account with no metadata. */
    public AccountState(String accountId, CurrencyUnit currency, OverdraftLimit overdraftLimit,
                        AccountStatus status, long debitsPosted, long creditsPosted,
                        long debitsPending, long creditsPending, int shardCount, long shardMovesIn,
                        long shardMovesOut) {
        this(accountId, currency, overdraftLimit, status, debitsPosted, creditsPosted, debitsPending, creditsPending,
                shardCount, shardMovesIn, shardMovesOut, Collections.emptySortedMap());
    }

    /** An account that is not sharded. */
    public AccountState(String accountId, CurrencyUnit currency, OverdraftLimit overdraftLimit,
                        AccountStatus status, long debitsPosted, long creditsPosted,
                        long debitsPending, long creditsPending) {
        this(accountId, currency, overdraftLimit, status, debitsPosted, creditsPosted, debitsPending, creditsPending,
                1, 0, 0);
    }

    public static AccountState opened(AccountOpened event) {
        return new AccountState(event.accountId(), event.currency(), event.overdraftLimit(), AccountStatus.OPEN,
                0, 0, 0, 0);
    }

    /** Shard k >= 1 as its {@link ShardOpened} leaves it. */
    public static AccountState opened(ShardOpened event) {
        return new AccountState(event.accountId(), event.currency(), event.overdraftLimit(),
                event.frozen() ? AccountStatus.FROZEN : AccountStatus.OPEN, 0, 0, 0, 0, 0, 0, 0);
    }

    /**
     * The account as users see it, from its shards read together (shard 0 first): its own id, currency,
     * floor, status and shard count, and the shards' totals added up with the moves between them taken
     * out. Exact even while a move is seen on one shard and not yet on the other, since the move's amount
     * is taken out of the total it entered on each side.
     */
    public static AccountState whole(List<AccountState> shards) {
        AccountState own = shards.get(0);
        if (own.shard() != 0) {
            throw new IllegalArgumentException("the first shard of an account is its own stream, not " + own.accountId());
        }
        long debitsPosted = 0;
        long creditsPosted = 0;
        long debitsPending = 0;
        long creditsPending = 0;
        for (AccountState shard : shards) {
            debitsPosted = Math.addExact(debitsPosted, Math.subtractExact(shard.debitsPosted, shard.shardMovesOut));
            creditsPosted = Math.addExact(creditsPosted, Math.subtractExact(shard.creditsPosted, shard.shardMovesIn));
            debitsPending = Math.addExact(debitsPending, shard.debitsPending);
            creditsPending = Math.addExact(creditsPending, shard.creditsPending);
        }
        return new AccountState(own.accountId, own.currency, own.overdraftLimit, own.status, debitsPosted,
                creditsPosted, debitsPending, creditsPending, own.shardCount, 0, 0, own.metadata);
    }

    /** The account this stream belongs to (itself, for an account's own stream). */
    public String account() {
        return AccountShards.accountOf(accountId);
    }

    /** Which shard of its account this stream is (0 for the account's own stream). */
    public int shard() {
        return AccountShards.shardOf(accountId);
    }

    /** Whether the account has more than one shard (asked of its own stream). */
    public boolean sharded() {
        return shardCount > 1;
    }

    /** Applies one event. {@code state} is empty only before the account's first event. */
    public static AccountState evolve(Optional<AccountState> state, AccountEvent event) {
        if (event instanceof AccountOpened opened) {
            if (state.isPresent()) {
                throw new IllegalStateException("account " + opened.accountId() + " is opened twice in its stream");
            }
            return opened(opened);
        }
        if (event instanceof ShardOpened opened) {
            if (state.isPresent()) {
                throw new IllegalStateException("shard " + opened.accountId() + " is opened twice in its stream");
            }
            return opened(opened);
        }
        return state.orElseThrow(() -> new IllegalStateException(
                "account " + event.accountId() + " has an event before it was opened")).evolve(event);
    }

    public AccountState evolve(AccountEvent event) {
        if (event instanceof AccountFrozen) {
            return withStatus(AccountStatus.FROZEN);
        } else if (event instanceof AccountUnfrozen) {
            return withStatus(AccountStatus.OPEN);
        } else if (event instanceof AccountClosed) {
            return withStatus(AccountStatus.CLOSED);
        } else if (event instanceof AccountMetadataSet set) {
            return new AccountState(accountId, currency, overdraftLimit, status, debitsPosted, creditsPosted,
                    debitsPending, creditsPending, shardCount, shardMovesIn, shardMovesOut, set.metadata());
        } else if (event instanceof AccountSharded sharded) {
            return new AccountState(accountId, currency, overdraftLimit, status, debitsPosted, creditsPosted,
                    debitsPending, creditsPending, sharded.shards(), shardMovesIn, shardMovesOut, metadata);
        } else if (event instanceof ShardFundsMoved moved) {
            long amount = moved.amount().minorUnits();
            AccountState after = moved.side() == Side.DEBIT
                    ? totals(Math.addExact(debitsPosted, amount), creditsPosted, debitsPending, creditsPending)
                    : totals(debitsPosted, Math.addExact(creditsPosted, amount), debitsPending, creditsPending);
            return moved.side() == Side.DEBIT
                    ? after.withMoves(shardMovesIn, Math.addExact(shardMovesOut, amount))
                    : after.withMoves(Math.addExact(shardMovesIn, amount), shardMovesOut);
        } else if (event instanceof EntryPosted e) {
            return e.side() == Side.DEBIT
                    ? totals(Math.addExact(debitsPosted, e.amount().minorUnits()), creditsPosted, debitsPending, creditsPending)
                    : totals(debitsPosted, Math.addExact(creditsPosted, e.amount().minorUnits()), debitsPending, creditsPending);
        } else if (event instanceof EntryReversed e) {
            return e.side() == Side.DEBIT
                    ? totals(Math.addExact(debitsPosted, e.amount().minorUnits()), creditsPosted, debitsPending, creditsPending)
                    : totals(debitsPosted, Math.addExact(creditsPosted, e.amount().minorUnits()), debitsPending, creditsPending);
        } else if (event instanceof HoldPlaced e) {
            long amount = e.amount().minorUnits();
            return e.side() == Side.DEBIT
                    ? totals(debitsPosted, creditsPosted, Math.addExact(debitsPending, amount), creditsPending)
                    : totals(debitsPosted, creditsPosted, debitsPending, Math.addExact(creditsPending, amount));
        } else if (event instanceof HoldPosted e) {
            long held = e.heldAmount().minorUnits();
            long posted = e.postedAmount().minorUnits();
            return e.side() == Side.DEBIT
                    ? totals(Math.addExact(debitsPosted, posted), creditsPosted, debitsPending - held, creditsPending)
                    : totals(debitsPosted, Math.addExact(creditsPosted, posted), debitsPending, creditsPending - held);
        } else if (event instanceof HoldVoided e) {
            return release(e.side(), e.amount().minorUnits());
        } else if (event instanceof HoldExpired e) {
            return release(e.side(), e.amount().minorUnits());
        } else if (event instanceof TransactionLeg leg) {
            return evolveTransactionLeg(leg);
        } else if (event instanceof AccountOpened || event instanceof ShardOpened) {
            throw new IllegalStateException("account " + accountId + " is opened twice in its stream");
        }
        throw new IllegalArgumentException("unknown account event " + event.getClass().getSimpleName());
    }

    /** A multi-leg transaction moves the account by the net of its own entries, on that net's side. */
    private AccountState evolveTransactionLeg(TransactionLeg leg) {
        long net = leg.netCredit();
        Side side = net < 0 ? Side.DEBIT : Side.CREDIT;
        long amount = net < 0 ? Math.negateExact(net) : net;
        // A reversal's entries are the transaction's reversed: their net is the opposite, posted at once.
        if (leg instanceof TransactionEntriesPosted || leg instanceof TransactionEntriesReversed) {
            return side == Side.DEBIT
                    ? totals(Math.addExact(debitsPosted, amount), creditsPosted, debitsPending, creditsPending)
                    : totals(debitsPosted, Math.addExact(creditsPosted, amount), debitsPending, creditsPending);
        } else if (leg instanceof TransactionHoldPlaced) {
            return side == Side.DEBIT
                    ? totals(debitsPosted, creditsPosted, Math.addExact(debitsPending, amount), creditsPending)
                    : totals(debitsPosted, creditsPosted, debitsPending, Math.addExact(creditsPending, amount));
        } else if (leg instanceof TransactionHoldPosted) {
            return side == Side.DEBIT
                    ? totals(Math.addExact(debitsPosted, amount), creditsPosted, debitsPending - amount, creditsPending)
                    : totals(debitsPosted, Math.addExact(creditsPosted, amount), debitsPending, creditsPending - amount);
        } else if (leg instanceof TransactionHoldVoided || leg instanceof TransactionHoldExpired) {
            return release(side, amount);
        }
        throw new IllegalArgumentException("unknown transaction leg " + leg.getClass().getSimpleName());
    }

    @Override
    public StreamId streamId() {
        return StreamId.account(accountId);
    }

    /** Credits posted minus debits posted: what the account holds, pending holds aside. */
    public long balance() {
        return Math.subtractExact(creditsPosted, debitsPosted);
    }

    /**
     * What can still be debited: credits posted - debits posted - debits pending + overdraft limit,
     * exactly, for every state a log can hold. Empty for an unlimited overdraft.
     *
     * <p>Every account this ledger opens and moves today keeps it within a {@code long} (from 0 to
     * 2^63 - 1; see {@link #acceptsCredit}). A log written before the overdraft limit was bounded may
     * hold an account whose available balance is past 2^63 - 1 (a limit near the largest amount plus a
     * positive balance): that is why this is not a {@code long}, and why it never throws.
     */
    public Optional<BigInteger> available() {
        if (overdraftLimit.unlimited()) {
            return Optional.empty();
        }
        return Optional.of(BigInteger.valueOf(creditsPosted).subtract(BigInteger.valueOf(debitsPosted))
                .subtract(BigInteger.valueOf(debitsPending)).add(BigInteger.valueOf(overdraftLimit.minorUnits())));
    }

    /**
     * Whether a debit of {@code units} leaves the available balance at or above zero (always, for an
     * unlimited overdraft): credits posted + limit >= debits posted + debits pending + units, decided
     * exactly whatever the totals, without computing a sum that could overflow into a wrong answer.
     */
    public boolean covers(long units) {
        if (overdraftLimit.unlimited()) {
            return true;
        }
        try {
            return Math.addExact(creditsPosted, overdraftLimit.minorUnits())
                    >= Math.addExact(Math.addExact(debitsPosted, debitsPending), units);
        } catch (ArithmeticException past) {
            return BigInteger.valueOf(creditsPosted).add(BigInteger.valueOf(overdraftLimit.minorUnits()))
                    .compareTo(BigInteger.valueOf(debitsPosted).add(BigInteger.valueOf(debitsPending))
                            .add(BigInteger.valueOf(units))) >= 0;
        }
    }

    /**
     * Whether a credit (posted or held) of {@code units} keeps the account's available balance within
     * the largest amount: credits posted + credits pending + units - debits posted + limit <= 2^63 - 1.
     * Credits pending count because posting a hold is not checked again, and debits pending do not
     * because releasing one raises the available balance. So every state this ledger writes has
     * 0 <= available <= 2^63 - 1. Always true for an unlimited overdraft, which has no available balance.
     */
    public boolean acceptsCredit(long units) {
        if (overdraftLimit.unlimited()) {
            return true;
        }
        long room = Long.MAX_VALUE - overdraftLimit.minorUnits();
        try {
            return Math.subtractExact(Math.addExact(Math.addExact(creditsPosted, creditsPending), units), debitsPosted)
                    <= room;
        } catch (ArithmeticException past) {
            return BigInteger.valueOf(creditsPosted).add(BigInteger.valueOf(creditsPending))
                    .add(BigInteger.valueOf(units)).subtract(BigInteger.valueOf(debitsPosted))
                    .compareTo(BigInteger.valueOf(room)) <= 0;
        }
    }

    /** What is held on one side: debits pending or credits pending. */
    public long pending(Side side) {
        return side == Side.DEBIT ? debitsPending : creditsPending;
    }

    public boolean hasPendingHolds() {
        return debitsPending != 0 || creditsPending != 0;
    }

    private AccountState release(Side side, long amount) {
        return side == Side.DEBIT
                ? totals(debitsPosted, creditsPosted, debitsPending - amount, creditsPending)
                : totals(debitsPosted, creditsPosted, debitsPending, creditsPending - amount);
    }

    private AccountState withStatus(AccountStatus newStatus) {
        return new AccountState(accountId, currency, overdraftLimit, newStatus, debitsPosted, creditsPosted,
                debitsPending, creditsPending, shardCount, shardMovesIn, shardMovesOut, metadata);
    }

    private AccountState withMoves(long movesIn, long movesOut) {
        return new AccountState(accountId, currency, overdraftLimit, status, debitsPosted, creditsPosted,
                debitsPending, creditsPending, shardCount, movesIn, movesOut, metadata);
    }

    private AccountState totals(long newDebitsPosted, long newCreditsPosted, long newDebitsPending,
                                long newCreditsPending) {
        if (newDebitsPosted < 0 || newCreditsPosted < 0 || newDebitsPending < 0 || newCreditsPending < 0) {
            // Only a log that was never produced by this ledger can get here (a release of more than was held).
            throw new IllegalStateException("account " + accountId + " would have a negative total");
        }
        return new AccountState(accountId, currency, overdraftLimit, status, newDebitsPosted, newCreditsPosted,
                newDebitsPending, newCreditsPending, shardCount, shardMovesIn, shardMovesOut, metadata);
    }
}

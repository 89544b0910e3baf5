package dev.ledger.replay;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.AccountMetadataSet;
import dev.ledger.domain.api.AccountEvent.AccountSharded;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.AccountEvent.HoldPlaced;
import dev.ledger.domain.api.AccountEvent.ShardFundsMoved;
import dev.ledger.domain.api.AccountEvent.ShardOpened;
import dev.ledger.domain.api.AccountEvent.TransferLeg;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.store.StoredEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the log must show of sharded accounts (issue 13), across the streams of one account:
 * <ul>
 * <li>every move of funds between two shards is a {@link ShardFundsMoved} debit on the giving shard and
 *     exactly one matching credit on the receiving one (same move id and amount, each naming the other,
 *     two shards of one account), written in one append (same {@code recordedAt} and correlation id);</li>
 * <li>an account has exactly the shard streams its own stream's last {@link AccountSharded} counts, each
 *     shard k >= 1 opened by a {@link ShardOpened} in the account's currency with its part of the floor
 *     (zero for a finite floor, which shard 0 keeps whole; unlimited for an unlimited one);</li>
 * <li>each leg of a transfer (its entry or its hold) is on the shard its {@code TransferRecorded} names.</li>
 * </ul>
 * Stream names come from {@link AccountShards} alone. Each shard's own floor is the per-stream
 * {@code OverdraftFloor} the verifier already checks. Memory: a few fields per account, one entry per
 * move between shards, and one per leg of a transfer on a shard k >= 1 (and per transfer naming one).
 */
final class ShardChecks {

    private final Findings findings;

    /** One side of a move between shards, as its stream recorded it. */
    private record Half(String stream, long version, Money amount, StoredEvent stored) {
    }

    /** A move between two shards, by move id, giving shard and receiving shard (stream account ids). */
    private record MoveKey(String moveId, String giver, String receiver) {
    }

    private static final class Halves {
        final List<Half> debits = new ArrayList<>();
        final List<Half> credits = new ArrayList<>();
    }

    /** An account's own stream as it ends: its shard count, currency and floor. */
    private record Own(int shards, CurrencyUnit currency, OverdraftLimit limit) {
    }

    /** A shard k >= 1 as it opens. */
    private record Opened(String stream, CurrencyUnit currency, OverdraftLimit limit) {
    }

    private static final class Census {
        volatile Own own;
        final Map<Integer, Opened> shards = new ConcurrentHashMap<>();
    }

    private final Map<MoveKey, Halves> moves = new ConcurrentHashMap<>();
    private final Map<String, Census> accounts = new ConcurrentHashMap<>();
    // Legs of transfers (an entry or a hold placed) on a shard k >= 1, and the shard each transfer names when
    // it is not 0: "transferId/SIDE" to the stream account id.
    private final Map<String, String> legsOnShards = new ConcurrentHashMap<>();
    private final Map<String, String> legsNamed = new ConcurrentHashMap<>();

    ShardChecks(Findings findings) {
        this.findings = findings;
    }

    /** The first event of an account stream: shard 0 opens with AccountOpened, shard k >= 1 with ShardOpened. */
    void first(StreamId stream, StoredEvent stored, AccountEvent event) {
        int shard = AccountShards.shardOf(stream.id());
        if (shard == 0 && !(event instanceof AccountOpened)) {
            findings.add(stream.toString(), stored.version(), "event", "an account's own stream opens with "
                    + "AccountOpened, not " + stored.type());
        } else if (shard > 0 && event instanceof ShardOpened opened) {
            census(stream).shards.put(shard, new Opened(stream.toString(), opened.currency(), opened.overdraftLimit()));
        } else if (shard > 0) {
            findings.add(stream.toString(), stored.version(), "event", "shard " + shard + " of account "
                    + AccountShards.accountOf(stream.id()) + " opens with ShardOpened, not " + stored.type());
            census(stream).shards.put(shard, new Opened(stream.toString(), null, null));
        }
    }

    /** Every event of an account stream, after it folded. */
    void accept(StreamId stream, StoredEvent stored, AccountEvent event) {
        // The account's shard count and its metadata (issue 16) are the account's, kept on its own stream.
        if ((event instanceof AccountSharded || event instanceof AccountMetadataSet)
                && AccountShards.shardOf(stream.id()) != 0) {
            findings.add(stream.toString(), stored.version(), "event", stored.type() + " belongs on the account's own "
                    + "stream, " + StreamId.account(AccountShards.accountOf(stream.id())) + ", not on a shard's");
        }
        if ((event instanceof EntryPosted || event instanceof HoldPlaced) && AccountShards.shardOf(stream.id()) != 0) {
            TransferLeg leg = (TransferLeg) event;
            legsOnShards.put(leg.transferId() + "/" + leg.side(), stream.id());
        }
        if (!(event instanceof ShardFundsMoved moved)) {
            return;
        }
        String self = moved.accountId();
        String other = moved.counterpartyAccountId();
        String field = "shardFundsMoved." + moved.moveId();
        if (self.equals(other) || !AccountShards.accountOf(self).equals(AccountShards.accountOf(other))) {
            findings.add(stream.toString(), stored.version(), field, "moves funds between " + self + " and " + other
                    + ", which are not two shards of one account");
        }
        MoveKey key = moved.side() == Side.DEBIT ? new MoveKey(moved.moveId(), self, other)
                : new MoveKey(moved.moveId(), other, self);
        Halves halves = moves.computeIfAbsent(key, k -> new Halves());
        Half half = new Half(stream.toString(), stored.version(), moved.amount(), stored);
        synchronized (halves) {
            (moved.side() == Side.DEBIT ? halves.debits : halves.credits).add(half);
        }
    }

    /** An account stream as it ends: its own stream's shard count, currency and floor. */
    void last(StreamId stream, AccountState state) {
        if (state.shard() == 0) {
            census(stream).own = new Own(state.shardCount(), state.currency(), state.overdraftLimit());
        }
    }

    /** An accepted transfer: the shards its legs are on, as it recorded them. */
    void transfer(TransferState transfer) {
        if (transfer.debitShard() != 0) {
            legsNamed.put(transfer.transferId() + "/" + Side.DEBIT,
                    AccountShards.streamAccountId(transfer.request().debitAccountId(), transfer.debitShard()));
        }
        if (transfer.creditShard() != 0) {
            legsNamed.put(transfer.transferId() + "/" + Side.CREDIT,
                    AccountShards.streamAccountId(transfer.request().creditAccountId(), transfer.creditShard()));
        }
    }

    /** The checks across streams, once every account stream of the accounts checked was read. */
    void finish() {
        checkMoves();
        checkCensus();
    }

    /**
     * The transfers' legs on shards against the shards their transfers name (a transfer that names shard
     * 0 on a side, and a leg on shard 0, are not in the maps): only when every stream was read.
     */
    void checkLegShards() {
        Set<String> keys = new TreeSet<>(legsOnShards.keySet());
        keys.addAll(legsNamed.keySet());
        for (String key : keys) {
            String on = legsOnShards.get(key);
            String named = legsNamed.get(key);
            int slash = key.lastIndexOf('/');
            String transferId = key.substring(0, slash);
            String side = key.substring(slash + 1).toLowerCase(java.util.Locale.ROOT);
            if (on == null || !on.equals(named)) {
                findings.add(StreamId.transfer(transferId).toString(), 1L, side + "Shard", "its " + side + " leg is on "
                        + (on == null ? "the account's own stream (shard 0), or on none" : StreamId.account(on)
                        .toString()) + ", but the transfer names " + (named == null ? "shard 0"
                        : StreamId.account(named).toString()));
            }
        }
    }

    /** Each debit of a move between shards has exactly one matching credit, written in the same append. */
    private void checkMoves() {
        for (Map.Entry<MoveKey, Halves> move : moves.entrySet()) {
            MoveKey key = move.getKey();
            Halves halves = move.getValue();
            String field = "shardFundsMoved." + key.moveId();
            String giver = StreamId.account(key.giver()).toString();
            String receiver = StreamId.account(key.receiver()).toString();
            if (halves.debits.size() != 1 || halves.credits.size() != 1) {
                Half any = halves.debits.isEmpty() ? halves.credits.get(0) : halves.debits.get(0);
                findings.add(any.stream(), any.version(), field, halves.debits.size() + " debit(s) on " + giver
                        + " and " + halves.credits.size() + " credit(s) on " + receiver + " of " + any.amount()
                        + " under this move: a move between shards is exactly one debit and one matching credit");
                continue;
            }
            Half debit = halves.debits.get(0);
            Half credit = halves.credits.get(0);
            if (!debit.amount().equals(credit.amount())) {
                findings.add(debit.stream(), debit.version(), field, "gives " + debit.amount() + " to " + receiver
                        + ", which takes " + credit.amount());
            }
            if (!debit.stored().recordedAt().equals(credit.stored().recordedAt())
                    || !debit.stored().correlationId().equals(credit.stored().correlationId())) {
                findings.add(debit.stream(), debit.version(), field, "its debit and its credit on " + receiver
                        + " were not written in one append (recorded at " + debit.stored().recordedAt() + " by "
                        + debit.stored().correlationId() + "; the credit at " + credit.stored().recordedAt() + " by "
                        + credit.stored().correlationId() + ")");
            }
        }
    }

    /** Each account has the shard streams its own stream counts, each opened as the account stands. */
    private void checkCensus() {
        for (Map.Entry<String, Census> entry : new TreeMap<>(accounts).entrySet()) {
            String account = entry.getKey();
            String own = StreamId.account(account).toString();
            Census census = entry.getValue();
            Own counted = census.own;
            if (counted == null) {
                census.shards.values().forEach(shard -> findings.add(shard.stream(), null, "shards",
                        "a shard of account " + account + ", which the log does not have"));
                continue;
            }
            int expected = Math.max(1, counted.shards());
            for (int shard = 1; shard < expected; shard++) {
                if (!census.shards.containsKey(shard)) {
                    findings.add(own, null, "shards", "its last AccountSharded counts " + expected
                            + " shards, but the log has no stream " + StreamId.account(
                            AccountShards.streamAccountId(account, shard)));
                }
            }
            for (Map.Entry<Integer, Opened> shard : new TreeMap<>(census.shards).entrySet()) {
                Opened opened = shard.getValue();
                if (shard.getKey() >= expected) {
                    findings.add(opened.stream(), null, "shards", "shard " + shard.getKey() + ", but account "
                            + account + " has " + expected + (expected == 1 ? " shard" : " shards"));
                }
                if (opened.currency() == null) {
                    continue; // its first event is already a finding
                }
                if (!opened.currency().equals(counted.currency())) {
                    findings.add(opened.stream(), 1L, "currency", "the shard holds " + opened.currency()
                            + ", its account " + counted.currency());
                }
                OverdraftLimit share = counted.limit().unlimited() ? OverdraftLimit.UNLIMITED : OverdraftLimit.NONE;
                if (!opened.limit().equals(share)) {
                    findings.add(opened.stream(), 1L, "overdraftLimit", "a shard k >= 1 of an account with "
                            + (counted.limit().unlimited() ? "an unlimited floor has an unlimited one"
                            : "a finite floor has a zero one (shard 0 keeps the whole limit)") + ", not "
                            + describe(opened.limit(), counted.currency()));
                }
            }
        }
    }

    private static String describe(OverdraftLimit limit, CurrencyUnit currency) {
        return limit.unlimited() ? "unlimited" : Money.of(limit.minorUnits(), currency).toString();
    }

    private Census census(StreamId stream) {
        return accounts.computeIfAbsent(AccountShards.accountOf(stream.id()), account -> new Census());
    }
}

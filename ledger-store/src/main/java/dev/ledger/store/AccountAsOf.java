package dev.ledger.store;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.account.AccountStatus;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountEvent.ShardOpened;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.money.OverdraftLimit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Function;

/**
 * An account as it stood at a point of its stream, folded from the stored events themselves (never
 * from a projection), from version 1 or from a checkpoint written with the log that {@code replay verify}
 * recomputes from the events: the read API's balance as of an instant and the replay tool's
 * {@code state} both fold here.
 *
 * @param version the last version folded
 */
public record AccountAsOf(AccountState state, long version) {

    /**
     * The account as users see it at {@code asOf}: its own stream folded, and for an account that was
     * sharded by then (issue 13) each of the shards its own stream counted then, folded to the same
     * instant and added up ({@link AccountState#whole}); the version is the sum of the shards' versions.
     *
     * @param streams reads one stream from its first event
     * @return empty if the account did not exist yet
     */
    public static Optional<AccountAsOf> whole(Function<StreamId, Iterator<StoredEvent>> streams, String accountId,
                                              Instant asOf) {
        return whole(streams, accountId, asOf, Basis.RECORDED);
    }

    /** As {@link #whole(Function, String, Instant)}, each event counted at its instant on {@code basis}. */
    public static Optional<AccountAsOf> whole(Function<StreamId, Iterator<StoredEvent>> streams, String accountId,
                                              Instant asOf, Basis basis) {
        return whole(stream -> fold(streams.apply(stream), asOf, basis, null, null), accountId);
    }

    /**
     * The account as users see it at {@code asOf}, as {@link #whole(Function, String, Instant)} folds it, but
     * each stream from its last checkpoint recorded by then ({@link #seek}): a bounded number of reads per
     * stream, however long its history. This is the one place the recorded-basis seek lives.
     */
    public static Optional<AccountAsOf> whole(EventStore log, String accountId, Instant asOf) {
        return whole(stream -> seek(log, stream, asOf), accountId);
    }

    /**
     * One account stream at {@code asOf}, from its last checkpoint recorded at or before it (one Query), then
     * the events after that checkpoint up to the first recorded after {@code asOf} (one Query of at most
     * {@link #TAIL_PAGE} events while checkpoints are where they are due; {@link #tail}). Equal to folding the stream from
     * version 1 whenever recorded times never go back within the stream, which {@code replay verify} checks.
     */
    public static Optional<AccountAsOf> seek(EventStore log, StreamId stream, Instant asOf) {
        Optional<AccountCheckpoint> checkpoint = log.checkpointAt(stream, asOf);
        AccountState state = checkpoint.map(AccountCheckpoint::state).orElse(null);
        long version = checkpoint.map(AccountCheckpoint::version).orElse(0L);
        return fold(tail(log, stream, version + 1), asOf, Basis.RECORDED, null, null, state, version);
    }

    /**
     * A stream from {@code fromVersion}: first one Query of at most {@link #TAIL_PAGE} events, which holds the
     * end of the fold while checkpoints are where they are due; past it, Queries of up to 1 MB as a fold from
     * version 1 reads. Without the second part a log written before checkpoints (until {@code replay checkpoints
     * --backfill} runs) would cost one request per 200 events: 51 at 10,000 events, against about 4 in 1 MB
     * pages (docs/as-of.md).
     */
    private static Iterator<StoredEvent> tail(EventStore log, StreamId stream, long fromVersion) {
        return new Iterator<>() {
            private Iterator<StoredEvent> events = log.readStream(stream, fromVersion, TAIL_PAGE);
            private long next = fromVersion;
            private boolean wholePages;

            @Override
            public boolean hasNext() {
                if (!wholePages && next - fromVersion == TAIL_PAGE) {
                    events = log.readStream(stream, next);
                    wholePages = true;
                }
                return events.hasNext();
            }

            @Override
            public StoredEvent next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                StoredEvent event = events.next();
                next = event.version() + 1;
                return event;
            }
        };
    }

    /**
     * Events read per request after a checkpoint: the next checkpoint is due within {@link AccountCheckpoint#EVERY}
     * versions, plus the rest of the append that passed it (an append holds fewer than 100 items), so one page
     * reaches the event that ends the fold.
     */
    static final int TAIL_PAGE = 2 * AccountCheckpoint.EVERY;

    /** The account from its own stream and, if sharded by then, each shard's, every stream as {@code stoodAt} says. */
    private static Optional<AccountAsOf> whole(Function<StreamId, Optional<AccountAsOf>> stoodAt, String accountId) {
        Optional<AccountAsOf> own = stoodAt.apply(StreamId.account(accountId));
        if (own.isEmpty() || !own.get().state().sharded()) {
            return own;
        }
        AccountState account = own.get().state();
        List<AccountState> shards = new ArrayList<>(List.of(account));
        long version = own.get().version();
        for (int shard = 1; shard < account.shardCount(); shard++) {
            String streamAccountId = AccountShards.streamAccountId(accountId, shard);
            Optional<AccountAsOf> stood = stoodAt.apply(StreamId.account(streamAccountId));
            shards.add(stood.isPresent() ? stood.get().state() : emptyShard(account, shard));
            version += stood.map(AccountAsOf::version).orElse(0L);
        }
        return Optional.of(new AccountAsOf(AccountState.whole(shards), version));
    }

    /**
     * Shard {@code shard} of an account when it is not to be seen (a read model has not reached it yet;
     * its opening is in the same append as the count that names it, so a fold of the log always has it):
     * as its opening leaves it, with nothing in it, at version 0. It adds nothing to the account's totals.
     *
     * @param own the account's own stream, which counts the shard
     */
    public static AccountState emptyShard(AccountState own, int shard) {
        return AccountState.opened(new ShardOpened(AccountShards.streamAccountId(own.accountId(), shard),
                own.currency(), own.overdraftLimit().unlimited() ? OverdraftLimit.UNLIMITED : OverdraftLimit.NONE,
                own.status() == AccountStatus.FROZEN));
    }

    /** Every event recorded at or before {@code asOf}; empty if the account did not exist yet. */
    public static Optional<AccountAsOf> fold(Iterator<StoredEvent> events, Instant asOf) {
        return fold(events, asOf, null, null);
    }

    /**
     * Every event recorded at or before {@code asOf} and up to version {@code upToVersion} (either null:
     * no such bound). With a {@code chain}, each event in reach must also chain on: the fold stops
     * before the first that does not, and the cursor says where and why.
     *
     * @param chain null to fold without checking the hash chain
     * @return empty if no event is in reach
     */
    public static Optional<AccountAsOf> fold(Iterator<StoredEvent> events, Instant asOf, Long upToVersion,
                                             HashChainCursor chain) {
        return fold(events, asOf, Basis.RECORDED, upToVersion, chain);
    }

    /**
     * As {@link #fold(Iterator, Instant, Long, HashChainCursor)}, each event counted when its instant on
     * {@code basis} is at or before {@code asOf}. Events are still applied in their stream's (recorded)
     * order: an effective date changes which events count, never their order. On the effective basis the
     * account's opening counts as soon as any later event does (a payment may be backdated to before the
     * account was opened: it then counts from its date, and the account with it). The version is the last
     * one counted.
     */
    public static Optional<AccountAsOf> fold(Iterator<StoredEvent> events, Instant asOf, Basis basis,
                                             Long upToVersion, HashChainCursor chain) {
        return fold(events, asOf, basis, upToVersion, chain, null, 0);
    }

    /** As above, from {@code state} at {@code version} (null and 0: from the stream's start). */
    private static Optional<AccountAsOf> fold(Iterator<StoredEvent> events, Instant asOf, Basis basis, Long upToVersion,
                                              HashChainCursor chain, AccountState state, long version) {
        StoredEvent opening = null;
        while (events.hasNext()) {
            StoredEvent event = events.next();
            if (basis.endsAt(event, asOf) || upToVersion != null && event.version() > upToVersion) {
                break;
            }
            if (chain != null && !chain.accept(event)) {
                break;
            }
            if (!basis.counts(event, asOf)) {
                if (state == null && opening == null) {
                    opening = event;
                }
                continue;
            }
            if (state == null && opening != null) {
                state = AccountState.evolve(Optional.empty(), (AccountEvent) opening.event());
            }
            state = AccountState.evolve(Optional.ofNullable(state), (AccountEvent) event.event());
            version = event.version();
        }
        return state == null ? Optional.empty() : Optional.of(new AccountAsOf(state, version));
    }
}

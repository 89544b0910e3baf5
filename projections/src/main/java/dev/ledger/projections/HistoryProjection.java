package dev.ledger.projections;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountEvent.AccountClosed;
import dev.ledger.domain.api.AccountEvent.AccountFrozen;
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
import dev.ledger.domain.api.AccountEvent.TransactionEntriesReversed;
import dev.ledger.domain.api.AccountEvent.TransactionLeg;
import dev.ledger.domain.api.AccountEvent.TransferLeg;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.money.Money;
import dev.ledger.store.StoredEvent;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Each account's history: one entry per event, in version order, with the balance after it. A sharded
 * account (issue 13) has one partition per shard stream ({@code ID}, {@code ID#k}), merged by
 * {@link HistoryReader}; the events that only keep its shards (see {@link #entryless}) advance the
 * stream's cursor but write no entry. The cursor item ({@code sk = 0}) keeps the running state, so an
 * entry is computed from the one before without reading the log; a stream's entries and its cursor are
 * written in one transaction ({@link RunWriter}). The items' format is {@link HistoryItemCodec}'s.
 */
public final class HistoryProjection implements Projection {

    private final ProjectionItems cursors;
    private final RunWriter writer;

    public HistoryProjection(DynamoDbClient dynamo, String table) {
        this.cursors = new ProjectionItems(dynamo, table, true);
        this.writer = new RunWriter(cursors);
    }

    @Override
    public ProjectionCatalog catalog() {
        return ProjectionCatalog.HISTORY;
    }

    @Override
    public Position position(StreamId stream) {
        return ProjectionItems.position(cursors.read(stream.id()));
    }

    public String table() {
        return cursors.table();
    }

    @Override
    public Map<StreamId, Position> positions(Collection<StreamId> streams) {
        return cursors.positions(streams, StreamId::id);
    }

    /** Each run's entries and its cursor, in one transaction (or successive ones for a long run). */
    @Override
    public List<Written> write(List<Run> runs) {
        return writer.write(runs);
    }

    /**
     * The event's entry ({@code sk = version}) and the account's cursor ({@code sk = 0}); for an event
     * with no entry ({@link #entryless}), the cursor alone.
     */
    @Override
    public Step next(StoredEvent event, Position current) {
        Optional<AccountState> before = current.version() == 0 ? Optional.empty()
                : Optional.of(HistoryItemCodec.account(current.item()));
        AccountEvent accountEvent = (AccountEvent) event.event();
        AccountState after = AccountState.evolve(before, accountEvent);
        Map<String, AttributeValue> cursor = HistoryItemCodec.cursor(event.stream().id(), event.version(), after);
        AttributeValue upTo = AttributeValue.fromS(
                HistoryItemCodec.recordedUpTo(current.item(), event.recordedAt()).toString());
        cursor.put(HistoryItemCodec.RECORDED_UP_TO, upTo);
        if (entryless(accountEvent, after)) {
            return new Step(new Position(event.version(), false, cursor), List.of(cursor));
        }
        Map<String, AttributeValue> entry;
        if (accountEvent instanceof TransactionLeg l) {
            entry = HistoryItemCodec.entry(event.stream().id(), event.version(), event.type(), event.recordedAt(),
                    event.hash(), after, new HistoryItemCodec.TransactionLeg(l.transactionId(),
                            Money.of(l.netCredit(), after.currency()),
                            ItemJson.write(TransactionsItemCodec.entries(l.entries())),
                            l instanceof TransactionEntriesReversed r ? r.reversalId() : null,
                            l instanceof TransactionEntriesReversed r ? r.forced() : null));
        } else {
            HistoryItemCodec.Leg leg = accountEvent instanceof EntryReversed r
                    ? new HistoryItemCodec.Leg(r.transferId(), r.counterpartyAccountId(), signedAmount(r), r.reversalId(),
                            r.forced())
                    : accountEvent instanceof TransferLeg l
                    ? new HistoryItemCodec.Leg(l.transferId(), l.counterpartyAccountId(), signedAmount(l)) : null;
            entry = HistoryItemCodec.entry(event.stream().id(), event.version(), event.type(), event.recordedAt(),
                    event.hash(), after, leg);
        }
        HistoryItemCodec.putEffectiveAt(entry, event.effectiveAt());
        entry.put(HistoryItemCodec.RECORDED_UP_TO, upTo);
        return new Step(new Position(event.version(), false, cursor), List.of(entry, cursor));
    }

    /**
     * Whether an event keeps a sharded account's shards rather than changing the account users see, and
     * so has no history entry: money moved between two of its shards (the account's balance does not
     * change: the two sides net to zero), its shard count raised, a shard opened, and on a shard k >= 1
     * a freeze, unfreeze or close (the account's own stream records the same change in the same append).
     *
     * @param after the stream's account after the event
     */
    static boolean entryless(AccountEvent event, AccountState after) {
        if (event instanceof ShardFundsMoved || event instanceof AccountSharded || event instanceof ShardOpened) {
            return true;
        }
        return after.shard() != 0
                && (event instanceof AccountFrozen || event instanceof AccountUnfrozen || event instanceof AccountClosed);
    }

    /**
     * What the event did to the account, signed as the balance sees it: credits positive, debits
     * negative. For a hold placed, voided or expired it is the amount held or released, which does
     * not change the balance; for a reversal's leg, the amount given back (the original's credit account
     * debited, its debit account credited). (A multi-leg transaction's event shows the account's net the
     * same way.)
     */
    public static Money signedAmount(TransferLeg leg) {
        Money amount;
        if (leg instanceof EntryPosted e) {
            amount = e.amount();
        } else if (leg instanceof HoldPlaced e) {
            amount = e.amount();
        } else if (leg instanceof HoldPosted e) {
            amount = e.postedAmount();
        } else if (leg instanceof HoldVoided e) {
            amount = e.amount();
        } else if (leg instanceof EntryReversed e) {
            amount = e.amount();
        } else {
            amount = ((HoldExpired) leg).amount();
        }
        return leg.side() == Side.CREDIT ? amount : Money.of(-amount.minorUnits(), amount.currency());
    }

    @Override
    public void block(StreamId stream, String reason) {
        cursors.block(stream.id(), reason);
    }

    @Override
    public Map<String, String> fields(Map<String, AttributeValue> item) {
        return ItemJson.fields(item, HistoryItemCodec.STATE);
    }
}

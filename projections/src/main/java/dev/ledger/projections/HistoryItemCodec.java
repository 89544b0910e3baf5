package dev.ledger.projections;

import static dev.ledger.projections.ProjectionItems.VERSION;
import static dev.ledger.projections.ProjectionTables.ID;
import static dev.ledger.projections.ProjectionTables.SK;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.money.Money;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The history table's items, per account ({@code id}):
 *
 * <ul>
 *   <li>the entry of version n ({@code sk = n}): {@code type}, {@code recordedAt}, {@code hash},
 *       {@code balanceAfter}, and for a transfer leg {@code transferId}, {@code counterpartyAccountId}
 *       and {@code amount} (signed, see {@link HistoryProjection#signedAmount}), for a reversal's leg
 *       also {@code reversalId} and {@code forced} (a boolean); for a multi-leg transaction's event
 *       {@code transactionId}, {@code amount} (the account's net, signed) and {@code entries} (every
 *       entry of the transaction, JSON), for a reversal of a transaction ({@code TransactionEntriesReversed})
 *       the entries reversed (directions flipped) plus {@code reversalId} and {@code forced}; amounts as
 *       decimal strings;
 *   <li>for an entry of a stream of a sharded account (issue 13) that has moved money between shards:
 *       {@code shardMoves}, what the stream received from the account's other shards less what it gave
 *       them (signed, decimal), so that {@code balanceAfter - shardMoves} is the stream's share of the
 *       account's balance, which moves between shards do not change (an entry without it has none);
 *       the moves themselves, the count raised and a shard's opening have no entry (see
 *       {@link HistoryProjection#next});
 *   <li>on every entry and on the cursor: {@code recordedUpTo}, the latest {@code recordedAt} of the
 *       stream up to and including that version (ISO-8601). It never goes down as the version goes up,
 *       so {@link HistoryReader} finds where a {@code from}/{@code to} window starts and ends by a binary
 *       search over versions instead of reading from version 1: {@code recordedAt} alone could go down
 *       when one writer's clock ran behind an earlier writer's. Items written before it existed lack it
 *       (the reader then takes {@code recordedAt}); a rebuild writes it;
 *   <li>the cursor ({@code sk = 0}): {@code version} and {@code state}, the running account (see
 *       {@link AccountJson}), so the next entry is computed without reading the log.
 * </ul>
 *
 * Pinned by {@code HistoryProjectionTest}: a change here changes what the table holds, and is
 * deployed with {@code replay rebuild --swap}.
 */
final class HistoryItemCodec {

    static final String STATE = "state";
    static final String TYPE = "type";
    static final String TRANSFER_ID = "transferId";
    static final String COUNTERPARTY = "counterpartyAccountId";
    static final String AMOUNT = "amount";
    static final String BALANCE_AFTER = "balanceAfter";
    static final String RECORDED_AT = "recordedAt";
    static final String HASH = "hash";
    static final String TRANSACTION_ID = "transactionId";
    static final String ENTRIES = "entries";
    static final String REVERSAL_ID = "reversalId";
    static final String FORCED = "forced";
    static final String SHARD_MOVES = "shardMoves";
    static final String EFFECTIVE_AT = "effectiveAt";
    static final String RECORDED_UP_TO = "recordedUpTo";

    /**
     * What a transfer leg adds to its entry; a reversal's leg also its reversal id and whether it was
     * forced (both null for other legs, and then not written).
     */
    record Leg(String transferId, String counterpartyAccountId, Money signedAmount, String reversalId, Boolean forced) {
        Leg(String transferId, String counterpartyAccountId, Money signedAmount) {
            this(transferId, counterpartyAccountId, signedAmount, null, null);
        }
    }

    /**
     * What a multi-leg transaction's account event adds to its entry: the transaction, the account's net
     * movement (signed as {@link Leg}'s amount) and every entry of the transaction, its own and its
     * counterparts', as JSON {@code [{"accountId","amount","currency","direction","index"}]}.
     */
    record TransactionLeg(String transactionId, Money signedAmount, String entries, String reversalId,
                          Boolean forced) {
        TransactionLeg(String transactionId, Money signedAmount, String entries) {
            this(transactionId, signedAmount, entries, null, null);
        }
    }

    private HistoryItemCodec() {
    }

    /** An entry for an event of a multi-leg transaction. */
    static Map<String, AttributeValue> entry(String accountId, long version, String type, Instant recordedAt,
                                             String hash, AccountState after, TransactionLeg leg) {
        Map<String, AttributeValue> entry = entry(accountId, version, type, recordedAt, hash, after, (Leg) null);
        entry.put(TRANSACTION_ID, AttributeValue.fromS(leg.transactionId()));
        entry.put(AMOUNT, AttributeValue.fromS(leg.signedAmount().toDecimalString()));
        entry.put(ENTRIES, AttributeValue.fromS(leg.entries()));
        if (leg.reversalId() != null) {
            // A reversal of the transaction: its entries are the transaction's reversed.
            entry.put(REVERSAL_ID, AttributeValue.fromS(leg.reversalId()));
            entry.put(FORCED, AttributeValue.fromBool(leg.forced()));
        }
        return entry;
    }

    /** @param leg null for an event that is not a transfer leg (opening, freezing...) */
    static Map<String, AttributeValue> entry(String accountId, long version, String type, Instant recordedAt,
                                             String hash, AccountState after, Leg leg) {
        Map<String, AttributeValue> entry = new HashMap<>();
        entry.put(ID, AttributeValue.fromS(accountId));
        entry.put(SK, AttributeValue.fromN(Long.toString(version)));
        entry.put(TYPE, AttributeValue.fromS(type));
        entry.put(RECORDED_AT, AttributeValue.fromS(recordedAt.toString()));
        entry.put(HASH, AttributeValue.fromS(hash));
        entry.put(BALANCE_AFTER, AttributeValue.fromS(Money.toDecimalString(after.balance(),
                after.currency().minorDigits())));
        if (after.shardMovesIn() != 0 || after.shardMovesOut() != 0) {
            entry.put(SHARD_MOVES, AttributeValue.fromS(Money.toDecimalString(
                    Math.subtractExact(after.shardMovesIn(), after.shardMovesOut()), after.currency().minorDigits())));
        }
        if (leg != null) {
            entry.put(TRANSFER_ID, AttributeValue.fromS(leg.transferId()));
            entry.put(COUNTERPARTY, AttributeValue.fromS(leg.counterpartyAccountId()));
            entry.put(AMOUNT, AttributeValue.fromS(leg.signedAmount().toDecimalString()));
            if (leg.reversalId() != null) {
                entry.put(REVERSAL_ID, AttributeValue.fromS(leg.reversalId()));
                entry.put(FORCED, AttributeValue.fromBool(leg.forced()));
            }
        }
        return entry;
    }

    /**
     * Issue 16: an entry whose event has an effective date keeps it as {@code effectiveAt}; an entry without
     * one counts when it was recorded, and keeps the shape it always had.
     */
    static void putEffectiveAt(Map<String, AttributeValue> entry, Instant effectiveAt) {
        if (effectiveAt != null) {
            entry.put(EFFECTIVE_AT, AttributeValue.fromS(effectiveAt.toString()));
        }
    }

    static Map<String, AttributeValue> cursor(String accountId, long version, AccountState account) {
        Map<String, AttributeValue> cursor = new HashMap<>();
        cursor.put(ID, AttributeValue.fromS(accountId));
        cursor.put(SK, AttributeValue.fromN("0"));
        cursor.put(VERSION, AttributeValue.fromN(Long.toString(version)));
        cursor.put(STATE, AttributeValue.fromS(AccountJson.encode(account)));
        return cursor;
    }

    /**
     * The stream's latest {@code recordedAt} once {@code recordedAt} is applied after the item
     * {@code before} (the cursor before the event; empty for a stream's first event).
     */
    static Instant recordedUpTo(Map<String, AttributeValue> before, Instant recordedAt) {
        AttributeValue earlier = before.get(RECORDED_UP_TO);
        if (earlier == null) {
            return recordedAt;
        }
        Instant latest = Instant.parse(earlier.s());
        return latest.isAfter(recordedAt) ? latest : recordedAt;
    }

    /** An item's {@code recordedUpTo}; its {@code recordedAt} if it was written before the attribute existed. */
    static Instant recordedUpTo(Map<String, AttributeValue> item) {
        AttributeValue upTo = item.get(RECORDED_UP_TO);
        return Instant.parse(upTo != null ? upTo.s() : item.get(RECORDED_AT).s());
    }

    /** The running account a cursor holds. */
    static AccountState account(Map<String, AttributeValue> cursor) {
        String what = "history cursor " + cursor.get(ID).s();
        AttributeValue state = cursor.get(STATE);
        if (state == null || state.s() == null) {
            throw new StoredFormException(what + " has no '" + STATE + "'");
        }
        return AccountJson.decode(state.s(), what);
    }

    /** The text of an entry's attribute; null if the entry has none. */
    static String text(Map<String, AttributeValue> entry, String name) {
        AttributeValue value = entry.get(name);
        return value == null ? null : value.s();
    }
}
